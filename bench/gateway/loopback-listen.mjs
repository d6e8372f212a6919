// Preload (`node --import ./loopback-listen.mjs ...`) for servers that offer no host option:
// the Portkey gateway's Node server calls `listen(port)` and so binds every interface. The
// benchmark keeps all traffic on loopback, so a listen() with a port but no host is given
// 127.0.0.1. Nothing else changes; it costs nothing after start-up.
import net from 'node:net';

const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (args.length === 1 || typeof args[1] === 'function') args.splice(1, 0, '127.0.0.1');
    else if (args[1] === undefined || args[1] === null) args[1] = '127.0.0.1';
  } else if (args[0] && typeof args[0] === 'object' && !('path' in args[0]) && !('fd' in args[0]) && !('handle' in args[0]) && !('_handle' in args[0])) {
    if (args[0].host === undefined) args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return originalListen.apply(this, args);
};
