//! Shell completions and manual pages work in the real shells and `man`.

use crate::common::*;

#[test]
fn the_completions_command_prints_each_shells_script() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = tool().args(["completions", shell]).run();
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        let expected = sagemaker_audit::docs::completions(
            &sagemaker_audit::cli::command(),
            shell.parse().unwrap(),
        );
        assert_eq!(run.stdout.as_bytes(), expected.as_slice(), "{shell}");
    }
    assert_eq!(tool().args(["completions", "tcsh"]).run().code, 2);
}

#[test]
fn the_kinds_command_lists_the_registry() {
    let table = tool().arg("kinds").run();
    assert_eq!(table.code, 0, "{}", table.stderr);
    insta::assert_snapshot!("kinds-table", table.stdout);
    let json: serde_json::Value =
        serde_json::from_str(&tool().args(["kinds", "--json"]).run().stdout).unwrap();
    let kinds = json.as_array().unwrap();
    // Every kind, and every check once, in the registry's order.
    let names: Vec<&str> = kinds.iter().map(|k| k["name"].as_str().unwrap()).collect();
    let registered: Vec<&str> = sagemaker_audit::kinds::KINDS
        .iter()
        .map(|d| d.kind.name())
        .chain([sagemaker_audit::resource::PIPELINE])
        .collect();
    assert_eq!(names, registered);
    // `listed` is what a live scan lists: what `--kinds` offers.
    let listed: Vec<&str> = kinds
        .iter()
        .filter(|k| k["listed"] == true)
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    let offered: Vec<&str> = sagemaker_audit::resource::Group::listed()
        .into_iter()
        .map(|g| g.name())
        .collect();
    assert_eq!(listed, offered);
    let ids: Vec<&str> = kinds
        .iter()
        .flat_map(|k| k["checks"].as_array().unwrap())
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(ids, sagemaker_audit::kinds::checks::ids());
    // The policy names exactly each kind's two calls and kms:DescribeKey; the README shows it.
    let policy = tool().args(["kinds", "--iam-policy"]).run().stdout;
    let actions: serde_json::Value = serde_json::from_str(&policy).unwrap();
    assert_eq!(
        actions["Statement"][0]["Action"].as_array().unwrap().len(),
        2 * listed.len() + 1
    );
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```json\n{policy}```")),
        "README's policy is not `kinds --iam-policy`"
    );
    assert_eq!(
        tool().args(["kinds", "--json", "--iam-policy"]).run().code,
        2
    );
}

/// Asks bash's own completion machinery what the script offers after `words`.
fn bash_complete(script: &str, words: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("complete.bash");
    std::fs::write(&file, script).unwrap();
    let words_array = words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let program = format!(
        "source '{}'; COMP_WORDS=({words_array}); COMP_CWORD={}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; \
         f=$(complete -p sagemaker-audit | sed -E 's/.*-F ([^ ]+).*/\\1/'); \
         \"$f\" sagemaker-audit '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display(),
        words.len() - 1,
        words.join(" "),
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "-c", &program])
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_subcommands_flags_and_values() {
    let script = tool().args(["completions", "bash"]).run().stdout;
    let subcommands = bash_complete(&script, &["sagemaker-audit", ""]);
    for sub in ["scan", "merge", "completions"] {
        assert!(subcommands.iter().any(|s| s == sub), "{subcommands:?}");
    }
    let flags = bash_complete(&script, &["sagemaker-audit", "scan", "--fo"]);
    assert!(flags.iter().any(|f| f == "--format"), "{flags:?}");
    let values = bash_complete(&script, &["sagemaker-audit", "scan", "--fail-on", ""]);
    for v in ["low", "medium", "high", "critical"] {
        assert!(values.iter().any(|s| s == v), "{values:?}");
    }
}

#[test]
fn man_renders_every_page() {
    if std::process::Command::new("man")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("man is required for this test (Debian package man-db)");
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, roff) in sagemaker_audit::docs::man_pages(&sagemaker_audit::cli::command()) {
        let file = dir.path().join(&name);
        std::fs::write(&file, roff).unwrap();
        let out = std::process::Command::new("man")
            .arg("-l")
            .arg(&file)
            .env("MANWIDTH", "100")
            .env("MAN_KEEP_FORMATTING", "0")
            .env("MANPAGER", "cat")
            .output()
            .unwrap();
        // man marks bold and underline with backspaces when it writes to a pipe.
        let raw = String::from_utf8_lossy(&out.stdout);
        let mut text = String::with_capacity(raw.len());
        for c in raw.chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("NAME") && text.contains("SYNOPSIS"),
            "{name}: {text}"
        );
        let command = name.trim_end_matches(".1");
        assert!(text.contains(command), "{name}: {text}");
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(!warnings.contains("warning"), "{name}: {warnings}");
    }
}

/// The README's table of checks has one row per check in the registry, in its order, and its
/// kinds list names every kind.
#[test]
fn the_readme_documents_every_check_and_kind() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let table = readme
        .split("| Check | PASS | FAIL | NOT_APPLICABLE |")
        .nth(1)
        .expect("the table of checks");
    let ids: Vec<&str> = table
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_start_matches("| `").split('`').next().unwrap())
        .collect();
    assert_eq!(ids, sagemaker_audit::kinds::checks::ids());
    let policy = readme
        .split("Minimal IAM policy")
        .nth(1)
        .expect("the policy");
    for k in sagemaker_audit::kinds::KINDS {
        let named = policy.contains(&format!("\"sagemaker:{}\"", k.api.describe));
        assert_eq!(named, k.unlisted.is_none(), "{}", k.api.describe);
    }
}
