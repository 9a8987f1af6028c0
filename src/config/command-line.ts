import { type ConfigProblem, type ConfigResult, failed, ok } from './problems.js';
import { buildExport, type ServerConfig } from './server-config.js';

export interface CommandLineExport {
  /** The directory to export. */
  readonly dir: string;
  /** `-o OPTIONS`: exports(5) options for the clients. */
  readonly options?: string;
  /** `--name PATH`: the MOUNT path; the directory itself if absent. */
  readonly name?: string;
  /** Client specifications; everyone (`*`) if absent or empty. */
  readonly clients?: readonly string[];
}

/** Builds the configuration for a single export given on the command line. */
export function exportFromCommandLine(args: CommandLineExport): ConfigResult<ServerConfig> {
  const problems: ConfigProblem[] = [];
  const hosts = args.clients && args.clients.length > 0 ? args.clients : ['*'];
  const built = buildExport(
    {
      where: 'command line',
      path: args.dir,
      ...(args.name !== undefined && { name: args.name, nameWhere: '--name' }),
      clients: hosts.map((host) => ({
        host,
        hostWhere: 'client',
        ...(args.options !== undefined && { options: args.options }),
        optionsWhere: '-o',
      })),
    },
    problems,
  );
  return built ? ok({ exports: [built] }) : failed(problems);
}
