//! Where the SageMaker Python SDK reads its configuration files (`--sdk-config`).
//!
//! The SDK reads an administrator's file, then a user's, each named by an environment variable
//! or else found in a platform directory (sagemaker 2.257.7 `sagemaker/config/config.py`;
//! sagemaker-core 2.27.0 `sagemaker/core/config/config.py` and, for the resources schema read
//! by SDK 3's resource classes, `sagemaker/core/utils/intelligent_defaults_helper.py`, which
//! has variables of its own). A variable may name a file or a directory holding `config.yaml`;
//! a file it names must exist (the SDK raises otherwise), a default file may be absent. The
//! platform directories are platformdirs' `site_config_dir("sagemaker")` and
//! `user_config_dir("sagemaker")` (platformdirs 4.x `unix.py`, `macos.py`, `windows.py`).

use std::path::PathBuf;

use super::Schema;

/// The file name the SDK looks for in a directory.
pub const FILE_NAME: &str = "config.yaml";

/// The variables that name the administrator's and the user's file, per schema.
pub fn variables(schema: Schema) -> [&'static str; 2] {
    match schema {
        Schema::Classic => [
            "SAGEMAKER_ADMIN_CONFIG_OVERRIDE",
            "SAGEMAKER_USER_CONFIG_OVERRIDE",
        ],
        Schema::Resources => [
            "SAGEMAKER_CORE_ADMIN_CONFIG_OVERRIDE",
            "SAGEMAKER_CORE_USER_CONFIG_OVERRIDE",
        ],
    }
}

/// One place the SDK reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The path as the variable or the platform gives it (a directory means its
    /// `config.yaml`; `s3://…` an S3 location).
    pub path: String,
    /// The variable that named it; `None` for the platform's default, which may be absent.
    pub variable: Option<&'static str>,
}

/// The administrator's and the user's place for a schema, given the environment (`env`
/// returns a variable's value) and the platform (`macos`, `windows`, else XDG).
pub fn places(schema: Schema, env: &dyn Fn(&str) -> Option<String>, platform: &str) -> [Place; 2] {
    let [admin_var, user_var] = variables(schema);
    let [admin_dir, user_dir] = default_dirs(env, platform);
    let place = |var: &'static str, dir: String| match env(var) {
        Some(path) => Place {
            path,
            variable: Some(var),
        },
        None => Place {
            path: join(&dir, FILE_NAME, platform),
            variable: None,
        },
    };
    [place(admin_var, admin_dir), place(user_var, user_dir)]
}

fn join(dir: &str, name: &str, platform: &str) -> String {
    let sep = if platform == "windows" { '\\' } else { '/' };
    format!("{}{sep}{name}", dir.trim_end_matches(sep))
}

/// platformdirs' `site_config_dir("sagemaker")` and `user_config_dir("sagemaker")`.
fn default_dirs(env: &dyn Fn(&str) -> Option<String>, platform: &str) -> [String; 2] {
    let home = env("HOME").unwrap_or_default();
    let expand = |p: &str| match p.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("{home}{rest}"),
        _ => p.to_owned(),
    };
    let set = |var: &str| env(var).filter(|v| !v.trim().is_empty());
    match platform {
        "macos" => [
            "/Library/Application Support/sagemaker".to_owned(),
            format!("{home}/Library/Application Support/sagemaker"),
        ],
        // `CSIDL_COMMON_APPDATA` and `CSIDL_LOCAL_APPDATA`, then `appauthor\appname` (both
        // `sagemaker`, as the SDK names no author).
        "windows" => [
            format!(
                "{}\\sagemaker\\sagemaker",
                set("ProgramData").unwrap_or_else(|| "C:\\ProgramData".to_owned())
            ),
            format!(
                "{}\\sagemaker\\sagemaker",
                set("LOCALAPPDATA").unwrap_or_default()
            ),
        ],
        _ => {
            // Only the first of `XDG_CONFIG_DIRS`, as the SDK asks for one path.
            let site = set("XDG_CONFIG_DIRS")
                .map(|v| v.split(':').next().unwrap_or_default().to_owned())
                .unwrap_or_else(|| "/etc/xdg".to_owned());
            let user = set("XDG_CONFIG_HOME").unwrap_or_else(|| "~/.config".to_owned());
            [
                format!("{}/sagemaker", expand(&site)),
                format!("{}/sagemaker", expand(&user)),
            ]
        }
    }
}

/// The platform this build runs on, as [`places`] names it.
pub fn this_platform() -> &'static str {
    if cfg!(target_os = "macos") {
        "macos"
    } else if cfg!(windows) {
        "windows"
    } else {
        "xdg"
    }
}

/// The file a place means: a directory's `config.yaml`, else the path itself.
pub fn file_of(place: &Place) -> PathBuf {
    let path = PathBuf::from(&place.path);
    if path.is_dir() {
        path.join(FILE_NAME)
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn defaults_follow_platformdirs() {
        let home = [("HOME", "/home/ana")];
        let [admin, user] = places(Schema::Classic, &env(&home), "xdg");
        assert_eq!(admin.path, "/etc/xdg/sagemaker/config.yaml");
        assert_eq!(user.path, "/home/ana/.config/sagemaker/config.yaml");
        assert_eq!((admin.variable, user.variable), (None, None));
        let xdg = [
            ("HOME", "/home/ana"),
            ("XDG_CONFIG_DIRS", "~/site:/etc/other"),
            ("XDG_CONFIG_HOME", "/cfg"),
        ];
        let [admin, user] = places(Schema::Resources, &env(&xdg), "xdg");
        assert_eq!(admin.path, "/home/ana/site/sagemaker/config.yaml");
        assert_eq!(user.path, "/cfg/sagemaker/config.yaml");
        let blank = [("HOME", "/h"), ("XDG_CONFIG_HOME", "  ")];
        assert_eq!(
            places(Schema::Classic, &env(&blank), "xdg")[1].path,
            "/h/.config/sagemaker/config.yaml"
        );
        let [admin, user] = places(Schema::Classic, &env(&home), "macos");
        assert_eq!(
            admin.path,
            "/Library/Application Support/sagemaker/config.yaml"
        );
        assert_eq!(
            user.path,
            "/home/ana/Library/Application Support/sagemaker/config.yaml"
        );
        let win = [("LOCALAPPDATA", "C:\\Users\\ana\\AppData\\Local")];
        let [admin, user] = places(Schema::Classic, &env(&win), "windows");
        assert_eq!(
            admin.path,
            "C:\\ProgramData\\sagemaker\\sagemaker\\config.yaml"
        );
        assert_eq!(
            user.path,
            "C:\\Users\\ana\\AppData\\Local\\sagemaker\\sagemaker\\config.yaml"
        );
    }

    #[test]
    fn each_schema_has_its_own_variables() {
        let vars = [
            ("SAGEMAKER_USER_CONFIG_OVERRIDE", "/team/sdk.yaml"),
            ("SAGEMAKER_CORE_ADMIN_CONFIG_OVERRIDE", "s3://bucket/prefix"),
        ];
        let [admin, user] = places(Schema::Classic, &env(&vars), "xdg");
        assert_eq!(admin.variable, None);
        assert_eq!(
            (user.path.as_str(), user.variable),
            ("/team/sdk.yaml", Some("SAGEMAKER_USER_CONFIG_OVERRIDE"))
        );
        let [admin, user] = places(Schema::Resources, &env(&vars), "xdg");
        assert_eq!(admin.path, "s3://bucket/prefix");
        assert_eq!(user.variable, None);
    }
}
