//! Attachment rules (SPEC §5.5): blocked file types and the size limit.

/// The file types Gmail refuses as attachments, lower-case and sorted for binary search.
/// Source: Google, "File types blocked in Gmail", https://support.google.com/mail/answer/6590
/// (list as published in 2026). Keep it sorted; a unit test checks.
pub const BLOCKED_EXTENSIONS: [&str; 54] = [
    "ade",
    "adp",
    "apk",
    "appx",
    "appxbundle",
    "bat",
    "cab",
    "chm",
    "cmd",
    "com",
    "cpl",
    "diagcab",
    "diagcfg",
    "diagpkg",
    "dll",
    "dmg",
    "ex",
    "ex_",
    "exe",
    "hta",
    "img",
    "ins",
    "iso",
    "isp",
    "jar",
    "jnlp",
    "js",
    "jse",
    "lib",
    "lnk",
    "mde",
    "mjs",
    "msc",
    "msi",
    "msix",
    "msixbundle",
    "msp",
    "mst",
    "nsh",
    "pif",
    "ps1",
    "scr",
    "sct",
    "shb",
    "sys",
    "vb",
    "vbe",
    "vbs",
    "vhd",
    "vxd",
    "wsc",
    "wsf",
    "wsh",
    "xll",
];

/// Secure sending carries at most 20 MiB of attachments in total (manual §4.7).
pub const TOTAL_SIZE_LIMIT: u64 = 20 * 1_048_576;

/// What follows the last dot once trailing dots and spaces are stripped, so that
/// `scan.pdf.exe. ` is an `exe`. `None` when there is no dot.
pub fn extension(name: &str) -> Option<&str> {
    let stripped = name.trim_end_matches(['.', ' ']);
    stripped.rsplit_once('.').map(|(_, extension)| extension)
}

/// Whether the file type of `name` may not be sent.
pub fn is_blocked(name: &str) -> bool {
    extension(name)
        .map(str::to_ascii_lowercase)
        .is_some_and(|extension| {
            BLOCKED_EXTENSIONS
                .binary_search(&extension.as_str())
                .is_ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_unique() {
        assert!(BLOCKED_EXTENSIONS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn extension_is_taken_after_trailing_dots_and_spaces() {
        assert_eq!(extension("scan.pdf.exe."), Some("exe"));
        assert_eq!(extension("scan.pdf.exe . . "), Some("exe"));
        assert_eq!(extension("brief.PDF"), Some("PDF"));
        assert_eq!(extension("README"), None);
        assert_eq!(extension("..."), None);
    }

    #[test]
    fn blocked_types_are_recognised_without_case() {
        for name in [
            "setup.exe",
            "SETUP.EXE",
            "scan.pdf.exe.",
            "tool.Ps1 ",
            "macro.xll",
            "a.ex_",
        ] {
            assert!(is_blocked(name), "{name}");
        }
        for name in [
            "verwijsbrief.pdf",
            "foto.jpg",
            "exe",
            "notes.txt",
            "archive.zip",
            "photo.exe.jpg",
        ] {
            assert!(!is_blocked(name), "{name}");
        }
    }
}
