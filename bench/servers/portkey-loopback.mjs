// Preloaded into Portkey's gateway (`node --import`): its build/start-server.js takes `--port=N`
// but no host, and listens on every interface. This binds it to 127.0.0.1 and prints the real
// port (`--port=0` picks a free one, which its own banner would print as 0).
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  if (typeof args[0] === 'number' && (args[1] === undefined || typeof args[1] === 'function')) {
    args.splice(1, args[1] === undefined ? 1 : 0, '127.0.0.1');
  }
  this.once('listening', () => process.stdout.write(`PORTKEY_LISTENING ${this.address().port}\n`));
  return listen.apply(this, args);
};
