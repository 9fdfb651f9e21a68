export async function info(_argv: string[]): Promise<number> {
  process.stdout.write('info: not yet implemented\n');
  return 1;
}
