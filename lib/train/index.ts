// tf.train: cluster and servers, device setters, coordinator, queue runners, input producers.
export { ClusterSpec, type ClusterDict } from './cluster_spec.js';
export { Server, type ServerOptions } from './server.js';
