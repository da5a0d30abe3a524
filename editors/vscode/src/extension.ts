import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  Executable,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
} from 'vscode-languageclient/node';

const SECTION = 'pmlint';
const EXE = process.platform === 'win32' ? 'pmlint.exe' : 'pmlint';

let client: LanguageClient | undefined;
let clientDisposables: vscode.Disposable[] = [];
let output: vscode.OutputChannel;
// Serialises start/stop/restart so quick successive setting changes cannot race.
let queue: Promise<void> = Promise.resolve();

function enqueue(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task).catch((err) => {
    output.appendLine(`[pmlint] ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  });
  return queue;
}

export function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('pmlint');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('pmlint.restartServer', () => enqueue(async () => {
      await stopClient();
      await startClient();
    })),
    vscode.commands.registerCommand('pmlint.showOutput', () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Other pmlint.* settings reach the running server through
      // synchronize.configurationSection (workspace/didChangeConfiguration).
      if (e.affectsConfiguration('pmlint.path') || e.affectsConfiguration('pmlint.enable')) {
        void enqueue(async () => {
          await stopClient();
          await startClient();
        });
      }
    }),
  );
  return enqueue(startClient);
}

export function deactivate(): Promise<void> {
  return enqueue(stopClient);
}

/** The settings object of the server contract (initializationOptions / section "pmlint"). */
function serverSettings(): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  return {
    enable: cfg.get<boolean>('enable', true),
    // null = not set: the workspace's pmlint.toml decides.
    minSeverity: cfg.get<string | null>('minSeverity', null),
    rules: cfg.get<Record<string, string>>('rules', {}),
    allowedNames: cfg.get<string[]>('allowedNames', []),
    debounceMs: cfg.get<number>('debounceMs', 200),
  };
}

async function startClient(): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  if (!cfg.get<boolean>('enable', true)) {
    output.appendLine('[pmlint] disabled by the "pmlint.enable" setting; the server is not started.');
    return;
  }

  const command = resolveExecutable();
  if (!command) {
    return;
  }
  output.appendLine(`[pmlint] starting ${command} lsp`);

  // No `transport` here on purpose: with TransportKind.stdio the client would append
  // "--stdio" to the arguments, and the contract is exactly `pmlint lsp` on stdio.
  const exec: Executable = { command, args: ['lsp'] };
  const serverOptions: ServerOptions = { run: exec, debug: exec };

  const watchers = [
    vscode.workspace.createFileSystemWatcher('**/pmlint.toml'),
    vscode.workspace.createFileSystemWatcher('**/.pmlint.toml'),
  ];
  clientDisposables.push(...watchers);

  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'markdown' },
      { scheme: 'file', language: 'plaintext' },
      { scheme: 'untitled', language: 'markdown' },
      { scheme: 'untitled', language: 'plaintext' },
    ],
    initializationOptions: serverSettings(),
    synchronize: {
      configurationSection: SECTION,
      fileEvents: watchers,
    },
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };

  // The id "pmlint" makes the client honour the "pmlint.trace.server" setting.
  const lc = new LanguageClient(SECTION, 'pmlint', serverOptions, clientOptions);
  client = lc;
  try {
    await lc.start();
  } catch (err) {
    client = undefined;
    await lc.dispose().catch(() => undefined);
    disposeClientResources();
    const msg = err instanceof Error ? err.message : String(err);
    output.appendLine(`[pmlint] failed to start ${command} lsp: ${msg}`);
    void showError(`pmlint: could not start the language server (${command} lsp): ${msg}`);
  }
}

async function stopClient(): Promise<void> {
  const lc = client;
  client = undefined;
  if (lc) {
    try {
      await lc.stop(2000);
    } catch (err) {
      output.appendLine(`[pmlint] error while stopping the server: ${String(err)}`);
    }
    await lc.dispose().catch(() => undefined);
  }
  disposeClientResources();
}

function disposeClientResources(): void {
  for (const d of clientDisposables) {
    d.dispose();
  }
  clientDisposables = [];
}

/**
 * Finds the pmlint executable. Only the user (machine) value of "pmlint.path" is honoured;
 * the setting is declared with "scope": "machine" so VS Code already refuses workspace
 * values, and this code ignores them too, so that a cloned repository can never make the
 * editor run a program of its choosing. Without a configured path, PATH is searched
 * (absolute entries only, so a relative entry cannot resolve into the workspace), then
 * ~/.cargo/bin.
 */
function resolveExecutable(): string | undefined {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<string | null>('path');
  if (inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined) {
    output.appendLine('[pmlint] ignoring "pmlint.path" from workspace settings: it may only be set in user settings.');
  }
  const configured = (inspected?.globalValue ?? '').trim();

  if (configured) {
    const expanded = configured.startsWith('~') ? path.join(os.homedir(), configured.slice(1)) : configured;
    if (path.isAbsolute(expanded)) {
      if (isExecutableFile(expanded)) {
        return expanded;
      }
      void showError(`pmlint: "pmlint.path" is set to ${expanded}, which is not an executable file.`);
      return undefined;
    }
    if (expanded.includes('/') || expanded.includes('\\')) {
      void showError(`pmlint: "pmlint.path" must be an absolute path or a bare program name (got ${configured}).`);
      return undefined;
    }
    const found = findOnPath(expanded);
    if (found) {
      return found;
    }
    void showError(`pmlint: "${expanded}" (from "pmlint.path") was not found on PATH.`);
    return undefined;
  }

  const found = findOnPath('pmlint') ?? cargoBin();
  if (found) {
    return found;
  }
  void showError('pmlint: the `pmlint` executable was not found on PATH. Install pmlint, or set "pmlint.path" in your user settings.');
  return undefined;
}

function findOnPath(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && path.isAbsolute(d));
  let exts = [''];
  if (process.platform === 'win32') {
    const pathext = (process.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
    exts = pathext.some((e) => name.toLowerCase().endsWith(e.toLowerCase())) ? [''] : pathext;
  }
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutableFile(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

function cargoBin(): string | undefined {
  const cargoHome = process.env.CARGO_HOME && path.isAbsolute(process.env.CARGO_HOME)
    ? process.env.CARGO_HOME
    : path.join(os.homedir(), '.cargo');
  const candidate = path.join(cargoHome, 'bin', EXE);
  return isExecutableFile(candidate) ? candidate : undefined;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(p, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

async function showError(message: string): Promise<void> {
  output.appendLine(`[pmlint] ${message}`);
  const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output');
  if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'pmlint.path');
  } else if (choice === 'Show Output') {
    output.show(true);
  }
}
