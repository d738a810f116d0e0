//! The commands of the phone's shell, printing what real phones print.

use std::time::Duration;

use super::super::app::KeyCode;
use super::super::phone::IDLE_STATE_ERROR;
use super::super::ui::{SCREEN_HEIGHT, SCREEN_WIDTH};
use super::{absolute, Control, Interrupted, Shell, NOT_FOUND};

/// Where `uiautomator dump` writes when given no path.
pub const DEFAULT_DUMP_PATH: &str = "/sdcard/window_dump.xml";

type Out<'a> = &'a mut Vec<u8>;

/// Runs one command (`argv[0]` is its name); returns the exit status.
pub fn run(
    shell: &mut Shell<'_>,
    argv: &[String],
    stdin: &[u8],
    out: Out<'_>,
    err: Out<'_>,
    control: &Control<'_>,
) -> Result<i32, Interrupted> {
    let phone = shell.phone();
    if phone.should_hang(argv) {
        return Err(control.hang());
    }
    let name = argv[0]
        .strip_prefix("/system/bin/")
        .or_else(|| argv[0].strip_prefix("/system/xbin/"))
        .unwrap_or(&argv[0]);
    let args = &argv[1..];
    Ok(match name {
        "echo" => echo(args, out),
        "cat" => cat(shell, args, stdin, out, err),
        "rm" => rm(shell, args, err),
        "ls" => ls(shell, args, out, err),
        "sleep" => match args.first().and_then(|a| parse_duration(a)) {
            Some(d) => {
                control.wait(d)?;
                0
            }
            None => usage(err, "sleep: invalid number or missing operand"),
        },
        "true" => 0,
        "false" => 1,
        "id" => line(
            out,
            "uid=2000(shell) gid=2000(shell) groups=2000(shell) context=u:r:shell:s0",
        ),
        "whoami" => line(out, "shell"),
        "getprop" => getprop(shell, args, out),
        "wm" => wm(args, out, err),
        "pm" => pm(shell, args, out, err),
        "dumpsys" => dumpsys(shell, args, out, err),
        "screencap" => screencap(shell, args, out, err),
        "am" => am(shell, args, out, err),
        "monkey" => monkey(shell, args, out, err),
        "input" => input(shell, args, err, control)?,
        "uiautomator" => uiautomator(shell, args, out, err, control)?,
        "grep" => grep(shell, args, stdin, out, err),
        _ => {
            err.extend(format!("/system/bin/sh: {}: not found\n", argv[0]).bytes());
            NOT_FOUND
        }
    })
}

fn line(out: Out<'_>, text: &str) -> i32 {
    out.extend(text.bytes());
    out.push(b'\n');
    0
}

fn usage(err: Out<'_>, text: &str) -> i32 {
    line(err, text);
    1
}

/// Parses `sleep`/`timeout` durations: `5`, `0.5`, `2s`, `1m`, `1h`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let (number, scale) = match text.as_bytes().last()? {
        b's' => (&text[..text.len() - 1], 1.0),
        b'm' => (&text[..text.len() - 1], 60.0),
        b'h' => (&text[..text.len() - 1], 3600.0),
        _ => (text, 1.0),
    };
    let secs = number.parse::<f64>().ok()? * scale;
    (0.0..1e9)
        .contains(&secs)
        .then(|| Duration::from_secs_f64(secs))
}

fn echo(args: &[String], out: Out<'_>) -> i32 {
    let (newline, args) = match args.first().map(String::as_str) {
        Some("-n") => (false, &args[1..]),
        _ => (true, args),
    };
    out.extend(args.join(" ").bytes());
    if newline {
        out.push(b'\n');
    }
    0
}

fn cat(shell: &Shell<'_>, args: &[String], stdin: &[u8], out: Out<'_>, err: Out<'_>) -> i32 {
    if args.is_empty() {
        out.extend_from_slice(stdin);
        return 0;
    }
    let mut code = 0;
    for arg in args {
        if arg == "-" {
            out.extend_from_slice(stdin);
            continue;
        }
        let path = absolute(arg);
        match shell.phone().read_file(&path) {
            Some(data) => out.extend(data),
            None if shell.phone().is_dir(&path) => {
                code = usage(err, &format!("cat: {arg}: Is a directory"));
            }
            None => code = usage(err, &format!("cat: {arg}: No such file or directory")),
        }
    }
    code
}

fn rm(shell: &Shell<'_>, args: &[String], err: Out<'_>) -> i32 {
    let (flags, paths): (Vec<&String>, Vec<&String>) =
        args.iter().partition(|a| a.starts_with('-') && a.len() > 1);
    let force = flags.iter().any(|f| f.contains('f'));
    if paths.is_empty() && !force {
        return usage(err, "rm: Need 1 argument");
    }
    let mut code = 0;
    for path in paths {
        if !shell.phone().remove_file(&absolute(path)) && !force {
            code = usage(err, &format!("rm: {path}: No such file or directory"));
        }
    }
    code
}

fn ls(shell: &Shell<'_>, args: &[String], out: Out<'_>, err: Out<'_>) -> i32 {
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let paths = if paths.is_empty() {
        vec!["/sdcard".to_string()]
    } else {
        paths.into_iter().cloned().collect()
    };
    let mut code = 0;
    for path in paths {
        let abs = absolute(&path);
        if shell.phone().read_file(&abs).is_some() {
            line(out, &path);
        } else if shell.phone().is_dir(&abs) {
            for name in shell.phone().list_dir(&abs) {
                line(out, &name);
            }
        } else {
            code = usage(err, &format!("ls: {path}: No such file or directory"));
        }
    }
    code
}

fn getprop(shell: &Shell<'_>, args: &[String], out: Out<'_>) -> i32 {
    let props = shell.phone().properties();
    match args.first() {
        None => {
            for (k, v) in &props {
                line(out, &format!("[{k}]: [{v}]"));
            }
        }
        Some(key) => {
            let fallback = args.get(1).map(String::as_str).unwrap_or("");
            line(out, props.get(key).map(String::as_str).unwrap_or(fallback));
        }
    }
    0
}

fn wm(args: &[String], out: Out<'_>, err: Out<'_>) -> i32 {
    match args.first().map(String::as_str) {
        Some("size") if args.len() == 1 => line(
            out,
            &format!("Physical size: {SCREEN_WIDTH}x{SCREEN_HEIGHT}"),
        ),
        Some("density") if args.len() == 1 => line(out, "Physical density: 420"),
        _ => usage(
            err,
            "usage: wm [size|density] (the simulated phone cannot change them)",
        ),
    }
}

fn pm(shell: &Shell<'_>, args: &[String], out: Out<'_>, err: Out<'_>) -> i32 {
    let phone = shell.phone();
    match (
        args.first().map(String::as_str),
        args.get(1).map(String::as_str),
    ) {
        (Some("list"), Some("packages")) => {
            let filter = args[2..].iter().find(|a| !a.starts_with('-'));
            for package in phone.packages() {
                if filter.is_none_or(|f| package.contains(f.as_str())) {
                    line(out, &format!("package:{package}"));
                }
            }
            0
        }
        (Some("path"), Some(package)) => {
            if phone.packages().iter().any(|p| p == package) {
                line(out, &format!("package:/data/app/{package}-1/base.apk"))
            } else {
                1
            }
        }
        _ => usage(err, "usage: pm list packages [FILTER] | pm path PACKAGE"),
    }
}

fn dumpsys(shell: &Shell<'_>, args: &[String], out: Out<'_>, err: Out<'_>) -> i32 {
    let phone = shell.phone();
    let component = phone.focused_component();
    match args.first().map(String::as_str) {
        Some("window") => {
            let text = format!(
                "WINDOW MANAGER WINDOWS (dumpsys window windows)\n  Window #0 Window{{5f0e2a1 u0 {component}}}:\n    mDisplayId=0 rootTaskId=12 mSession=Session{{b1c2d3 1234:u0a10123}} mClient=android.os.BinderProxy@9a8b7c6\n    mHasSurface=true isReadyForDisplay()=true mWindowRemovalAllowed=false\n\n  mGlobalConfiguration={{1.0 ?mcc?mnc [{}] ldltr sw411dp w411dp h914dp 420dpi nrml long port finger qwerty/v/v dpad/v winConfig={{ mBounds=Rect(0, 0 - {SCREEN_WIDTH}, {SCREEN_HEIGHT}) }} s.4}}\n  mHasPermanentDpad=false\n  mTopFocusedDisplayId=0\n  mCurrentFocus=Window{{5f0e2a1 u0 {component}}}\n  mFocusedApp=ActivityRecord{{8d7c6b5 u0 {component} t12}}\n",
                phone.language()
            );
            out.extend(text.bytes());
            0
        }
        Some("activity") => {
            let text = format!(
                "ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)\nDisplay #0 (activities from top to bottom):\n  * Task{{c4d5e6f #12 type=standard A=10123:{} U=0 visible=true mode=fullscreen}}\n    topResumedActivity=ActivityRecord{{8d7c6b5 u0 {component} t12}}\n  mResumedActivity: ActivityRecord{{8d7c6b5 u0 {component} t12}}\n  ResumedActivity: ActivityRecord{{8d7c6b5 u0 {component} t12}}\n",
                phone.foreground_package()
            );
            out.extend(text.bytes());
            0
        }
        Some("package") => {
            let Some(package) = args.get(1) else {
                return usage(err, "dumpsys package: name a package");
            };
            let app = phone.spec().apps.iter().find(|a| a.package() == package);
            match app {
                Some(app) => {
                    let text = format!(
                        "Packages:\n  Package [{package}] (4c3d2e1):\n    userId=10123\n    pkg=Package{{4c3d2e1 {package}}}\n    versionCode={} minSdk=28 targetSdk=34\n    versionName={}\n",
                        app.version,
                        version_name(app.version)
                    );
                    out.extend(text.bytes());
                }
                // A real phone prints the headers and no package for an unknown name.
                None => out.extend(b"Packages:\n"),
            }
            0
        }
        Some(service) => usage(err, &format!("Can't find service: {service}")),
        None => usage(
            err,
            "dumpsys: the simulated phone dumps only 'window', 'activity' and 'package'",
        ),
    }
}

/// The `versionName` of a simulated app version (`410` → `410.0.0`).
pub fn version_name(version: u32) -> String {
    format!("{version}.0.0")
}

/// A PNG of one black pixel: the simulated phone draws widgets, not pixels.
const SCREENSHOT_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B,
    0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x01, 0x48, 0xAF, 0xA4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// `screencap [-p] [FILE]`: a PNG to the file, or to standard output.
fn screencap(shell: &Shell<'_>, args: &[String], out: Out<'_>, err: Out<'_>) -> i32 {
    let files: Vec<&String> = args.iter().filter(|a| *a != "-p").collect();
    if let Some(flag) = files.iter().find(|a| a.starts_with('-')) {
        return usage(err, &format!("screencap: unknown option {flag}"));
    }
    match files.as_slice() {
        [] => {
            out.extend_from_slice(SCREENSHOT_PNG);
            0
        }
        [path] => {
            let path = super::absolute(path);
            match shell.phone().write_file(&path, SCREENSHOT_PNG.to_vec()) {
                Ok(()) => 0,
                Err(e) => usage(err, &format!("screencap: {path}: {e}")),
            }
        }
        _ => usage(err, "screencap: one file at most"),
    }
}

/// `am start` options that take one value, and those that take two (`--es key value`).
const AM_ONE_VALUE: [&str; 8] = [
    "-c",
    "-t",
    "-f",
    "--user",
    "-e",
    "--activity-brought-to-front",
    "-p",
    "--display",
];
const AM_TWO_VALUES: [&str; 6] = ["--es", "--ez", "--ei", "--el", "--ef", "--eu"];

fn am(shell: &Shell<'_>, args: &[String], out: Out<'_>, err: Out<'_>) -> i32 {
    let phone = shell.phone();
    match args.first().map(String::as_str) {
        Some("force-stop") | Some("kill") => match args.get(1) {
            Some(package) => {
                phone.force_stop(package);
                0
            }
            None => usage(err, "Error: no package specified"),
        },
        Some("start") | Some("start-activity") => {
            let (mut component, mut action, mut data) = (None, None, None);
            let (mut wait, mut stop_first) = (false, false);
            let mut i = 1;
            while i < args.len() {
                let arg = args[i].as_str();
                let value = args.get(i + 1).cloned();
                match arg {
                    "-n" => component = value,
                    "-a" => action = value,
                    "-d" => data = value,
                    "-W" => wait = true,
                    "-S" => stop_first = true,
                    _ if AM_ONE_VALUE.contains(&arg) => {}
                    _ if AM_TWO_VALUES.contains(&arg) => i += 1,
                    _ if arg.starts_with('-') => {
                        i += 1;
                        continue;
                    }
                    _ => {
                        component = component.or(Some(arg.to_string()));
                        i += 1;
                        continue;
                    }
                }
                i += if matches!(arg, "-W" | "-S") { 1 } else { 2 };
            }
            if let Some(component) = component {
                line(out, &format!("Starting: Intent {{ cmp={component} }}"));
                let package = component.split('/').next().unwrap_or("");
                if stop_first {
                    phone.force_stop(package);
                }
                if phone.launch(package).is_err() || !component.contains('/') {
                    line(out, "Error type 3");
                    return usage(
                        err,
                        &format!("Error: Activity class {{{component}}} does not exist."),
                    );
                }
                if wait {
                    out.extend(format!("Status: ok\nLaunchState: COLD\nActivity: {component}\nTotalTime: 412\nWaitTime: 415\nComplete\n").bytes());
                }
                0
            } else if let Some(uri) = data {
                let action = action.unwrap_or_else(|| "android.intent.action.VIEW".into());
                let intent = format!("act={action} dat={uri}");
                line(out, &format!("Starting: Intent {{ {intent} }}"));
                if phone.open_uri(&uri) {
                    0
                } else {
                    usage(err, &format!("Error: Activity not started, unable to resolve Intent {{ {intent} flg=0x10000000 }}"))
                }
            } else {
                usage(err, "Error: Intent does not match any activities")
            }
        }
        _ => usage(
            err,
            "usage: am start -n PKG/ACT | am start -a ACTION -d URI | am force-stop PKG",
        ),
    }
}

fn monkey(shell: &Shell<'_>, args: &[String], out: Out<'_>, err: Out<'_>) -> i32 {
    for arg in args {
        line(out, &format!("  bash arg: {arg}"));
    }
    let packages: Vec<&String> = args
        .windows(2)
        .filter(|w| w[0] == "-p")
        .map(|w| &w[1])
        .collect();
    let Some(package) = packages.first() else {
        return usage(
            err,
            "** Error: no package given (the simulated monkey only launches apps)",
        );
    };
    if shell.phone().launch(package).is_err() {
        line(err, "** No activities found to run, monkey aborted.");
        return 252;
    }
    line(out, "Events injected: 1");
    line(
        out,
        "## Network stats: elapsed time=18ms (0ms mobile, 0ms wifi, 18ms not connected)",
    )
}

const INPUT_SOURCES: [&str; 12] = [
    "keyboard",
    "mouse",
    "joystick",
    "touchnavigation",
    "touchpad",
    "trackball",
    "stylus",
    "dpad",
    "gamepad",
    "touchscreen",
    "rotaryencoder",
    "keyboard",
];

fn input(
    shell: &Shell<'_>,
    args: &[String],
    err: Out<'_>,
    control: &Control<'_>,
) -> Result<i32, Interrupted> {
    let phone = shell.phone();
    let args = match args.first() {
        Some(source) if INPUT_SOURCES.contains(&source.as_str()) => &args[1..],
        _ => args,
    };
    let coords = |values: &[String]| -> Option<Vec<i32>> {
        values
            .iter()
            .map(|v| {
                v.parse::<f32>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(|f| f as i32)
            })
            .collect()
    };
    let tap_latency = Duration::from_millis(phone.latency().tap_ms);
    Ok(match args.first().map(String::as_str) {
        Some("tap") if args.len() == 3 => match coords(&args[1..3]) {
            Some(c) => {
                control.wait(tap_latency)?;
                phone.tap(c[0], c[1]);
                0
            }
            None => usage(err, "Error: Invalid arguments for command: tap"),
        },
        Some("swipe") if args.len() == 5 || args.len() == 6 => match coords(&args[1..5]) {
            Some(c) => {
                let duration = args
                    .get(5)
                    .and_then(|d| d.parse::<u64>().ok())
                    .unwrap_or(300);
                control.wait(tap_latency + Duration::from_millis(duration.min(10_000)))?;
                phone.swipe((c[0], c[1]), (c[2], c[3]));
                0
            }
            None => usage(err, "Error: Invalid arguments for command: swipe"),
        },
        Some("text") if args.len() >= 2 => {
            phone.input_text(&args[1].replace("%s", " "));
            0
        }
        Some("keyevent") if args.len() >= 2 => {
            let keys: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with("--")).collect();
            let mut parsed = Vec::new();
            for key in keys {
                match KeyCode::parse(key) {
                    Some(k) => parsed.push(k),
                    None => return Ok(usage(err, &format!("Error: Unknown keycode: {key}"))),
                }
            }
            for key in parsed {
                phone.key(key);
            }
            0
        }
        Some(cmd) => usage(err, &format!("Error: Invalid arguments for command: {cmd}")),
        None => usage(err, "Usage: input [<source>] <command> [<arg>...]"),
    })
}

fn uiautomator(
    shell: &Shell<'_>,
    args: &[String],
    out: Out<'_>,
    err: Out<'_>,
    control: &Control<'_>,
) -> Result<i32, Interrupted> {
    let phone = shell.phone();
    if args.first().map(String::as_str) != Some("dump") {
        return Ok(usage(err, "Usage: uiautomator dump [--compressed] [FILE]"));
    }
    let path = args[1..]
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(|p| absolute(p))
        .unwrap_or_else(|| DEFAULT_DUMP_PATH.to_string());
    control.wait(Duration::from_millis(phone.latency().dump_ms))?;
    // Real uiautomator reports the idle failure on stderr and still exits 0.
    let xml = match phone.dump_xml() {
        Ok(xml) => xml,
        Err(_) => return Ok(line(err, IDLE_STATE_ERROR)),
    };
    if path == "/dev/tty" {
        out.extend(xml.bytes());
    } else if let Err(e) = phone.write_file(&path, xml.into_bytes()) {
        return Ok(usage(err, &format!("ERROR: could not write {path}: {e}")));
    }
    Ok(line(out, &format!("UI hierchary dumped to: {path}")))
}

fn grep(shell: &Shell<'_>, args: &[String], stdin: &[u8], out: Out<'_>, err: Out<'_>) -> i32 {
    let (mut invert, mut quiet, mut count, mut icase, mut fixed) =
        (false, false, false, false, false);
    let mut rest = Vec::new();
    for arg in args {
        match arg.as_str() {
            a if a.starts_with('-') && a.len() > 1 && rest.is_empty() => {
                for flag in a.chars().skip(1) {
                    match flag {
                        'v' => invert = true,
                        'q' => quiet = true,
                        'c' => count = true,
                        'i' => icase = true,
                        'F' => fixed = true,
                        'E' => {}
                        other => return usage(err, &format!("grep: unknown option -{other}")),
                    }
                }
            }
            _ => rest.push(arg),
        }
    }
    let Some((pattern, files)) = rest.split_first() else {
        return usage(err, "usage: grep [-civqEF] PATTERN [FILE...]");
    };
    let source = if fixed {
        regex::escape(pattern)
    } else {
        pattern.to_string()
    };
    let regex = match regex::RegexBuilder::new(&source)
        .case_insensitive(icase)
        .size_limit(1 << 20)
        .build()
    {
        Ok(r) => r,
        Err(_) => return usage(err, &format!("grep: bad regex '{pattern}'")),
    };
    let mut input = Vec::new();
    if files.is_empty() {
        input.extend_from_slice(stdin);
    }
    for file in files {
        match shell.phone().read_file(&absolute(file)) {
            Some(data) => input.extend(data),
            None => return usage(err, &format!("grep: {file}: No such file or directory")),
        }
    }
    let text = String::from_utf8_lossy(&input);
    let matching: Vec<&str> = text
        .lines()
        .filter(|l| regex.is_match(l) != invert)
        .collect();
    if count {
        line(out, &matching.len().to_string());
    } else if !quiet {
        for m in &matching {
            line(out, m);
        }
    }
    i32::from(matching.is_empty())
}
