//! Documentation generated from the command-line definition itself, so it can never disagree
//! with the flags: shell completion scripts (`sagemaker-audit completions SHELL`) and manual
//! pages (`cargo xtask man`, which writes what [`man_pages`] renders). Each takes the command
//! definition (`crate::cli::command()`) rather than reaching for it, so this module and the
//! command line do not import each other.

/// The program's name, as shells and `man` know it.
pub const BIN: &str = "sagemaker-audit";

/// The completion script for `shell`.
pub fn completions(command: &clap::Command, shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = command.clone();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut out);
    if shell == clap_complete::Shell::Bash {
        // clap_complete 4.6 names the bash cases of a hyphenated program's subcommands
        // `sagemaker__subcmd__audit__subcmd__scan` but selects `sagemaker__audit__subcmd__scan`,
        // so no subcommand's flags would complete; the test in tests/cli/install.rs asks bash.
        let text =
            String::from_utf8_lossy(&out).replace("sagemaker__subcmd__audit", "sagemaker__audit");
        return text.into_bytes();
    }
    out
}

/// Manual pages, `(file name, roff)`: `sagemaker-audit.1` and one `sagemaker-audit-<command>.1`
/// per subcommand.
pub fn man_pages(command: &clap::Command) -> Vec<(String, Vec<u8>)> {
    let cmd = command.clone();
    let mut pages = Vec::new();
    let mut top = Vec::new();
    // Rendering into a Vec cannot fail.
    let _ = clap_mangen::Man::new(cmd.clone()).render(&mut top);
    pages.push((format!("{BIN}.1"), top));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("{BIN}-{}", sub.get_name());
        let page = sub.clone().name(name.clone()).bin_name(name.clone());
        let mut text = Vec::new();
        let _ = clap_mangen::Man::new(page).render(&mut text);
        pages.push((format!("{name}.1"), text));
    }
    pages
}

/// Every subcommand and every long flag, `(command, "--flag")`, for the tests that check the
/// completion scripts and manual pages hold them all.
pub fn flags(command: &clap::Command) -> Vec<(String, String)> {
    let cmd = command.clone();
    let mut out = Vec::new();
    let mut walk = |name: &str, c: &clap::Command| {
        for arg in c.get_arguments() {
            if let Some(long) = arg.get_long() {
                out.push((name.to_owned(), format!("--{long}")));
            }
        }
    };
    walk(BIN, &cmd);
    for sub in cmd.get_subcommands() {
        walk(sub.get_name(), sub);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd() -> clap::Command {
        crate::cli::command()
    }

    #[test]
    fn every_flag_is_in_every_completion_script() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::PowerShell,
        ] {
            let script = String::from_utf8(completions(&cmd(), shell)).expect("utf-8");
            for sub in cmd().get_subcommands() {
                assert!(
                    script.contains(sub.get_name()),
                    "{shell}: {}",
                    sub.get_name()
                );
            }
            for (command, flag) in flags(&cmd()) {
                // fish lists long flags without their dashes (`-l out-dir`).
                let bare = flag.trim_start_matches('-');
                assert!(
                    script.contains(&flag)
                        || (shell == clap_complete::Shell::Fish
                            && script.contains(&format!("-l {bare}"))),
                    "{shell}: {command} {flag}"
                );
            }
        }
    }

    #[test]
    fn every_flag_is_on_its_manual_page() {
        let pages = man_pages(&cmd());
        let page = |name: &str| {
            let file = if name == BIN {
                format!("{BIN}.1")
            } else {
                format!("{BIN}-{name}.1")
            };
            let (_, text) = pages
                .iter()
                .find(|(f, _)| *f == file)
                .unwrap_or_else(|| panic!("no page {file}"));
            // roff writes a dash as `\-`.
            String::from_utf8_lossy(text).replace("\\-", "-")
        };
        for sub in cmd().get_subcommands() {
            assert!(page(BIN).contains(sub.get_name()), "{}", sub.get_name());
        }
        for (command, flag) in flags(&cmd()) {
            if command == "help" {
                continue;
            }
            // Once in the synopsis, once where it is described.
            let text = page(&command);
            assert!(text.matches(flag.as_str()).count() >= 2, "{command} {flag}");
        }
    }
}
