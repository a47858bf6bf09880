//! `cargo xtask man [DIR]` writes the manual pages, `cargo xtask completions [DIR]` the shell
//! completion scripts, both generated from the command-line definition (default DIR:
//! `target/dist/man` and `target/dist/completions`). The release workflow packs them next to
//! the binary.

use std::path::PathBuf;
use std::process::ExitCode;

use clap_complete::Shell;
use sagemaker_audit::docs;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, dir) = match args.as_slice() {
        [task] => (task.as_str(), None),
        [task, dir] => (task.as_str(), Some(PathBuf::from(dir))),
        _ => return usage(),
    };
    let result = match task {
        "man" => write(
            dir.unwrap_or_else(|| PathBuf::from("target/dist/man")),
            docs::man_pages(&sagemaker_audit::cli::command()),
        ),
        "completions" => write(
            dir.unwrap_or_else(|| PathBuf::from("target/dist/completions")),
            [
                (Shell::Bash, format!("{}.bash", docs::BIN)),
                (Shell::Zsh, format!("_{}", docs::BIN)),
                (Shell::Fish, format!("{}.fish", docs::BIN)),
                (Shell::PowerShell, format!("_{}.ps1", docs::BIN)),
            ]
            .into_iter()
            .map(|(shell, file)| {
                (
                    file,
                    docs::completions(&sagemaker_audit::cli::command(), shell),
                )
            })
            .collect(),
        ),
        _ => return usage(),
    };
    match result {
        Ok(written) => {
            for path in written {
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write(dir: PathBuf, files: Vec<(String, Vec<u8>)>) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(&dir)?;
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map(|()| path)
        })
        .collect()
}

fn usage() -> ExitCode {
    eprintln!("usage: cargo xtask man [DIR] | cargo xtask completions [DIR]");
    ExitCode::from(2)
}
