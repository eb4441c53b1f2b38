//! What makes `--out-dir` survive a crash and leave no debris: files and
//! directories flushed to disk before the exchange (and the parent after
//! it), the target directory's mode, owner and group carried over to the new
//! tree, and the staging directories of killed runs removed.

use std::fs;
use std::io::{self, Write as _};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// The marker in a staging directory's name: `.<target>.impala-k8s-<pid>`.
const STAGING: &str = ".impala-k8s-";

/// The staging directory of this process for the target `name`.
pub(super) fn staging_name(name: &str) -> String {
    format!(".{name}{STAGING}{}", std::process::id())
}

/// Writes a file and flushes its content to disk.
pub(super) fn write_synced(path: &Path, content: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(content)?;
    file.sync_all()
}

/// Flushes a directory's entries (the names of what it holds) to disk.
pub(super) fn sync_dir(path: &Path) -> io::Result<()> {
    fs::File::open(path)?.sync_all()
}

/// Gives `to` the permission bits of `from`, and its owner and group where
/// the process may (a user may give a directory only a group they are in;
/// anything more needs privileges the tool does not ask for).
pub(super) fn copy_attributes(from: &fs::Metadata, to: &Path) -> io::Result<()> {
    fs::set_permissions(to, fs::Permissions::from_mode(from.mode() & 0o7777))?;
    let own = fs::metadata(to)?;
    if (own.uid(), own.gid()) != (from.uid(), from.gid()) {
        match std::os::unix::fs::chown(to, Some(from.uid()), Some(from.gid())) {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {}
            other => other?,
        }
    }
    Ok(())
}

/// Removes the staging directories that killed runs left beside `parent`'s
/// target `name`: the tool's own only, recognised by name (`.<name>.impala-k8s-<pid>`),
/// by owner (the owner of `ours`, this run's staging directory) and by a
/// process id that no longer runs. Returns what it removed.
pub(super) fn remove_stale_staging(parent: &Path, name: &str, ours: &Path) -> io::Result<Vec<String>> {
    let owner = fs::symlink_metadata(ours)?.uid();
    let prefix = format!(".{name}{STAGING}");
    let mut removed = Vec::new();
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        let meta = entry.metadata()?;
        let alive = Path::new("/proc").join(pid.to_string()).exists();
        if pid == std::process::id() || alive || !meta.is_dir() || meta.uid() != owner {
            continue;
        }
        fs::remove_dir_all(entry.path())?;
        removed.push(entry.path().display().to_string());
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("impala-k8s-durable-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A process id no process has now.
    fn dead_pid() -> u32 {
        (4_000_000..4_194_304).find(|p| !Path::new("/proc").join(p.to_string()).exists()).unwrap()
    }

    #[test]
    fn stale_staging_of_dead_runs_goes_and_nothing_else() {
        let root = temp("stale");
        let ours = root.join(staging_name("out"));
        fs::create_dir(&ours).unwrap();
        let dead = root.join(format!(".out{STAGING}{}", dead_pid()));
        fs::create_dir_all(dead.join("a/b")).unwrap();
        fs::write(dead.join("a/b/x.yaml"), "x").unwrap();
        // A live run's (pid 1 always runs), another target's, and a user's look-alike file.
        let live = root.join(format!(".out{STAGING}1"));
        let other = root.join(format!(".other{STAGING}{}", dead_pid()));
        let file = root.join(format!(".out{STAGING}{}", dead_pid() + 1));
        for d in [&live, &other] {
            fs::create_dir(d).unwrap();
        }
        fs::write(&file, "mine").unwrap();
        let removed = remove_stale_staging(&root, "out", &ours).unwrap();
        assert_eq!(removed, [dead.display().to_string()]);
        assert!(!dead.exists() && live.exists() && other.exists() && file.exists() && ours.exists());
    }

    #[test]
    fn attributes_carry_over() {
        let root = temp("attributes");
        let (from, to) = (root.join("from"), root.join("to"));
        fs::create_dir(&from).unwrap();
        fs::create_dir(&to).unwrap();
        fs::set_permissions(&from, fs::Permissions::from_mode(0o2750)).unwrap();
        copy_attributes(&fs::metadata(&from).unwrap(), &to).unwrap();
        assert_eq!(fs::metadata(&to).unwrap().mode() & 0o7777, 0o2750);
    }

    #[test]
    fn synced_writes_land() {
        let root = temp("synced");
        write_synced(&root.join("f"), b"x").unwrap();
        sync_dir(&root).unwrap();
        assert_eq!(fs::read(root.join("f")).unwrap(), b"x");
    }
}
