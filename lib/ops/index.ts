// Ops: each module registers its op definitions and kernels on import.
export { constant, placeholder } from './constant.js';
