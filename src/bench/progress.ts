/** A one-line progress bar on stderr (stdout stays clean for tables and --json). */
export class Progress {
  private done = 0;
  private readonly started = performance.now();
  constructor(
    private readonly total: number,
    private readonly label: string,
  ) {}

  tick(what: string): void {
    this.done++;
    const width = 24;
    const filled = Math.round((width * this.done) / this.total);
    const s = ((performance.now() - this.started) / 1000).toFixed(0);
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${s}s ${what}`;
    process.stderr.write(process.stderr.isTTY ? `\r${line.slice(0, 110).padEnd(110)}` : `${line}\n`);
  }

  end(): void {
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
}
