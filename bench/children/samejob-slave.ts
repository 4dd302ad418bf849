/**
 * The slave of the "same job" benchmark: a Modbus TCP server (modbus-serial's ServerTCP) on
 * 127.0.0.1:<port> answering every unit id, 16 holding registers per unit that change once a
 * second (registerValue). Run as `node samejob-slave.js <port>`; prints "ready" when listening
 * and `requests <n>` on SIGUSR2.
 */
import ModbusSerial from 'modbus-serial';
import { registerValue } from '../lib/samejob-registers.js';

const port = Number(process.argv[2]);
let requests = 0;
const vector = {
  getMultipleHoldingRegisters: (address: number, length: number, unitID: number): number[] => {
    requests++;
    const second = Math.floor(Date.now() / 1000);
    return Array.from({ length }, (_, i) => registerValue(unitID, address + i, second));
  },
};
const server = new ModbusSerial.ServerTCP(vector, { host: '127.0.0.1', port, unitID: 255 });
server.on('socketError', () => undefined);
server.on('initialized', () => process.stdout.write('ready\n'));
// The requests served so far, on demand: the benchmark reads the rate of each program.
process.on('SIGUSR2', () => process.stdout.write(`requests ${requests}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
