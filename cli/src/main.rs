//! `farmhand`: the command line of the farmhand engine, for operators who do not
//! write code. `farmhand --help` lists the commands; `farmhand demo` tours them
//! on simulated phones.

mod accounts;
mod bulk;
mod cli;
mod demo;
mod devices;
mod interrupt;
mod keys;
mod output;
mod paths;
mod progress;
mod screens;
mod sheets;
mod sim;
mod table;
mod time;
mod totp;
mod workflows;

use std::process::ExitCode;

use clap::Parser;
use farmhand::{Error, Result};

use cli::{Cli, Command};
use interrupt::Interrupt;
use keys::{open_keyed, Convert, Keys, Need};
use output::{Exit, Output};
use paths::{workspace_exists, workspace_path};
use workflows::Kind;

/// An import frees on one thread what another allocated; mimalloc does that
/// without the lock contention of the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Output {
        json: cli.json,
        quiet: cli.quiet,
    };
    match run(cli, out) {
        Ok(exit) => exit.into(),
        Err(error) => {
            out.error(&error);
            Exit::for_error(&error).into()
        }
    }
}

fn run(cli: Cli, out: Output) -> Result<Exit> {
    let flag = cli.workspace.as_deref();
    let keys = Keys {
        file: cli.key_file.filter(|f| !f.as_os_str().is_empty()),
    };
    match cli.command {
        Command::Accounts(command) => {
            let creates = matches!(command, cli::AccountsCommand::Add(_));
            let writes_secrets = matches!(
                command,
                cli::AccountsCommand::Add(_) | cli::AccountsCommand::Edit(_)
            );
            let need = if writes_secrets {
                Need::Secrets
            } else {
                Need::NoSecrets
            };
            let ws = open_keyed(&workspace_path(flag)?, creates, &keys, need)?;
            accounts::run(&ws, command, out)
        }
        Command::Import(args) => {
            // A missing file fails before a new workspace file is made for it.
            std::fs::metadata(&args.file).map_err(|e| Error::io(&args.file, e))?;
            let path = workspace_path(flag)?;
            // A dry run against a workspace that does not exist yet reports what a
            // first import would create, without creating the file.
            let ws = if args.dry_run && !workspace_exists(&path) {
                farmhand::Workspace::in_memory()
            } else {
                open_keyed(&path, true, &keys, Need::Secrets)?
            };
            sheets::import(&ws, args, out)
        }
        Command::Export(args) => {
            let need = if args.with_secrets {
                Need::Secrets
            } else {
                Need::NoSecrets
            };
            let ws = open_keyed(&workspace_path(flag)?, false, &keys, need)?;
            sheets::export(&ws, args, out)
        }
        Command::Totp(args) => totp::run(&workspace_path(flag)?, &keys, args, out),
        Command::Devices(args) => {
            // Without a workspace (none yet, or no data directory) there is no
            // registry: list what adb sees, and create nothing.
            let ws = match workspace_path(flag) {
                Ok(path) if workspace_exists(&path) => {
                    Some(open_keyed(&path, false, &keys, Need::NoSecrets)?)
                }
                _ => None,
            };
            devices::run(ws.as_ref(), args, out)
        }
        Command::Sim(args) => sim::run(args, &Interrupt::install()?, out),
        Command::Demo(args) => {
            if flag.is_some() {
                return Err(Error::validation(
                    "--workspace",
                    "demo makes its own workspace and never touches yours; use `demo --dir DIR` to keep its files",
                ));
            }
            demo::run(args, out)
        }
        Command::Login(args) => {
            let ws = open_keyed(&workspace_path(flag)?, false, &keys, Need::Secrets)?;
            let interrupt = Interrupt::install()?;
            workflows::run(
                &ws,
                Kind::Login,
                Some(&args),
                None,
                &args.run,
                &interrupt,
                out,
            )
        }
        Command::Match(args) => {
            let ws = open_keyed(&workspace_path(flag)?, true, &keys, Need::NoSecrets)?;
            let interrupt = Interrupt::install()?;
            workflows::run(&ws, Kind::Match, None, None, &args.run, &interrupt, out)
        }
        Command::Sync(args) => {
            let ws = open_keyed(&workspace_path(flag)?, false, &keys, Need::NoSecrets)?;
            let interrupt = Interrupt::install()?;
            let (target, web) = (&args.target, &args.web);
            workflows::run(
                &ws,
                Kind::Sync,
                Some(target),
                Some(web),
                &target.run,
                &interrupt,
                out,
            )
        }
        Command::Screens(command) => screens::run(command, out),
        Command::Key(command) => keys::run_key(command, out),
        Command::Encrypt => keys::run_convert(&workspace_path(flag)?, &keys, Convert::Encrypt, out),
        Command::Decrypt => keys::run_convert(&workspace_path(flag)?, &keys, Convert::Decrypt, out),
        Command::Rekey(args) => keys::run_convert(
            &workspace_path(flag)?,
            &keys,
            Convert::Rekey {
                new_key_file: args.new_key_file,
            },
            out,
        ),
    }
}
