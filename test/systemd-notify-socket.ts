/**
 * A fake $NOTIFY_SOCKET for tests: a unix datagram socket bound by a tiny python3 receiver
 * (Node has no unix datagram sockets). It closes any file descriptor passed with a message, as
 * PID 1 does, so systemd-notify's BARRIER=1 returns at once. Each message is one line in
 * `messages` with newlines turned into '|'.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const RECEIVER = `
import socket, sys, os, array
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
sys.stdout.write("LISTENING\\n"); sys.stdout.flush()
while True:
    msg, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(64 * 4))
    for lvl, typ, data in anc:
        if lvl == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds = array.array('i')
            fds.frombytes(data[:len(data) - (len(data) % 4)])
            for fd in fds:
                os.close(fd)
    sys.stdout.write(msg.decode('utf-8', 'replace').strip().replace('\\n', '|') + '\\n')
    sys.stdout.flush()
`;

export interface FakeNotifySocket {
  path: string;
  messages: string[];
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function fakeNotifySocket(python: string, dir: string): Promise<FakeNotifySocket> {
  const path = join(dir, 'notify.sock');
  const child = spawn(python, ['-u', '-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: string[] = [];
  let buf = '';
  let ready: () => void = () => undefined;
  const listening = new Promise<void>((r) => (ready = r));
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line === 'LISTENING') ready();
      else messages.push(line);
    }
  });
  const timer = setTimeout(() => ready(), 5000);
  await listening;
  clearTimeout(timer);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill();
    await exited;
  };
  return { path, messages, child, stop };
}
