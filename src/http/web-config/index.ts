export { listen, type ListenAddress } from './listen.js';
export { WebConfigSource } from './source.js';
