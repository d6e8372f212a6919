/** `conduit <command>`: placeholder dispatcher, replaced by the CLI module. */
export async function main(argv: string[]): Promise<number> {
  console.log('conduit', argv.join(' '));
  return 0;
}
