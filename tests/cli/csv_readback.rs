//! CSV read back by a second, independent parser (Python's csv module).

use crate::common::*;

fn python_rows(csv_path: &std::path::Path) -> Vec<Vec<String>> {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import csv, json, sys\n\
             with open(sys.argv[1], newline='', encoding='utf-8') as f:\n    \
             print(json.dumps(list(csv.reader(f))))",
        )
        .arg(csv_path)
        .output()
        .expect("python3 is installed (the test script checks)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn python_reads_the_same_rows_and_columns() {
    let (out, _) = scan_to_dir(&["basic", "bad"], &[]);
    let rows = python_rows(&out.path().join("report.csv"));
    let header = &rows[0];
    for required in [
        "status",
        "severity",
        "rule_id",
        "job_name",
        "job_arn",
        "account_id",
        "region",
        "kms_key",
        "key_manager",
        "message",
        "source_file",
    ] {
        assert!(header.iter().any(|h| h == required), "{required}");
    }
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let doc = json(out.path(), "report.json");
    let expected =
        doc["findings"].as_array().unwrap().len() + doc["errors"].as_array().unwrap().len();
    assert_eq!(rows.len() - 1, expected);
    // Messages with commas and quotes survive the round trip.
    let msg = header.iter().position(|h| h == "message").unwrap();
    let json_messages: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    for m in json_messages {
        assert!(rows.iter().any(|r| r[msg] == m), "{m}");
    }
}

#[test]
fn formula_cells_are_neutralised() {
    let (out, _) = scan_to_dir(&["hostile"], &[]);
    let rows = python_rows(&out.path().join("report.csv"));
    let cells: Vec<&String> = rows.iter().skip(1).flatten().collect();
    for c in &cells {
        assert!(
            !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "formula cell survived: {c:?}"
        );
    }
    assert!(cells.iter().any(|c| c.starts_with("'=HYPERLINK")));
    assert!(cells.iter().any(|c| *c == "'-2+3"));
    assert!(cells.iter().any(|c| *c == "'@SUM(1)"));
}
