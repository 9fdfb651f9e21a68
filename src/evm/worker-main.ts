// Entry of an EVM worker thread: installs its module hooks, then loads the worker (and with it
// @ethereumjs/vm), which the hooks must see being loaded.
import { register } from 'node:module';

register('./forks/authority-loader.js', import.meta.url);
await import('./worker.js');
