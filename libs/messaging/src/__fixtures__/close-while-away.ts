/**
 * A process with one connection (`producer` or `worker`, argv[2]) to the Redis at argv[3]. It
 * prints `ready`; once Redis goes away it closes the connection and should then end by itself.
 * If something still holds it open a second later, it prints what (`held [...]`) and exits 1.
 */
import { producerConnection, workerConnection } from '../queues';

const [kind, url] = process.argv.slice(2);
if (url === undefined || (kind !== 'producer' && kind !== 'worker')) throw new Error('usage: close-while-away producer|worker <redis url>');
const connection = (kind === 'worker' ? workerConnection : producerConnection)(url, 'close-while-away');
connection.on('error', () => undefined);
connection.once('ready', () => {
  console.log('ready');
  connection.once('reconnecting', () => {
    connection.disconnect();
    setTimeout(() => {
      console.log(`held ${JSON.stringify(process.getActiveResourcesInfo())}`);
      process.exit(1);
    }, 1_000).unref();
  });
});
