// The hall's Wi-Fi between the app and the server, for the journey: a TCP proxy that can be slowed
// down (so a download lasts long enough to be seen) and cut (every connection dropped, new ones
// refused) and restored. Pacing the bytes is what a slow network does, not a wait in a test.

import { randomFillSync } from "node:crypto";
import net from "node:net";

export class HallWifi {
  /** `upstream` is the server's `http(s)://host:port`; TLS passes through untouched. */
  constructor(upstream) {
    const url = new URL(upstream);
    this.scheme = url.protocol;
    this.upstream = { host: url.hostname, port: Number(url.port) };
    this.bytesPerSecond = null;
    this.isCut = false;
    this.sockets = new Set();
    this.server = net.createServer((client) => this.#pipe(client));
  }

  /** Starts listening; resolves to the proxy's `http(s)://127.0.0.1:PORT` (the server's scheme). */
  start() {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve(`${this.scheme}//127.0.0.1:${this.server.address().port}`));
    });
  }

  /**
   * New connections go to `upstream` instead (open ones are dropped): someone in between on the
   * hall's network putting another server in this one's place.
   */
  redirect(upstream) {
    const url = new URL(upstream);
    this.upstream = { host: url.hostname, port: Number(url.port) };
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Bytes from the server reach the app at most this fast; `null` for full speed. */
  throttle(bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
  }

  /** Drops every connection and refuses new ones until `restore()`. */
  cut() {
    this.isCut = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore() {
    this.isCut = false;
  }

  close() {
    this.cut();
    this.server.close();
  }

  #pipe(client) {
    if (this.isCut) {
      client.destroy();
      return;
    }
    const server = net.connect(this.upstream);
    this.sockets.add(client);
    this.sockets.add(server);
    const drop = () => {
      client.destroy();
      server.destroy();
      this.sockets.delete(client);
      this.sockets.delete(server);
    };
    client.on("error", drop).on("close", drop);
    server.on("error", drop).on("close", drop);
    client.on("data", (chunk) => server.write(chunk));
    server.on("data", (chunk) => {
      client.write(chunk);
      if (this.bytesPerSecond) {
        server.pause();
        setTimeout(() => server.resume(), (chunk.length / this.bytesPerSecond) * 1000);
      }
    });
  }
}

/**
 * A valid one-page PDF of about `size` bytes: a page with one line of text and an unreferenced
 * stream of random bytes, so the download is long and cannot be compressed on the way.
 */
export function largePdf(size, text) {
  const parts = [];
  const offsets = [];
  let length = 0;
  const add = (chunk) => {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
    parts.push(bytes);
    length += bytes.length;
  };
  const object = (number, body) => {
    offsets[number] = length;
    add(`${number} 0 obj\n${body}\nendobj\n`);
  };
  const content = `BT /F1 24 Tf 72 760 Td (${text}) Tj ET`;
  add("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
  object(1, "<< /Type /Catalog /Pages 2 0 R >>");
  object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  object(
    3,
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
  );
  object(4, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  object(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  const filler = Buffer.alloc(Math.max(0, size - length));
  randomFillSync(filler);
  offsets[6] = length;
  add(`6 0 obj\n<< /Length ${filler.length} >>\nstream\n`);
  add(filler);
  add("\nendstream\nendobj\n");
  const xref = length;
  add(`xref\n0 7\n0000000000 65535 f \n`);
  for (let number = 1; number <= 6; number += 1) add(`${String(offsets[number]).padStart(10, "0")} 00000 n \n`);
  add(`trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}
