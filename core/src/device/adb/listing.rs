//! Reading `host:devices-l` and `host-serial:…:features` answers.

use crate::device::{DeviceInfo, DeviceState, Transport};

/// Parses the server's `devices-l` table, one phone per line:
/// `SERIAL  STATE  [usb:…] [product:… model:… device:…] transport_id:N`.
pub fn parse_devices_long(text: &str) -> Vec<DeviceInfo> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<DeviceInfo> {
    let mut words = line.split_whitespace();
    let serial = words.next()?.to_string();
    let rest: Vec<&str> = words.collect();
    // "no permissions (…)" is the one state of several words; it ends before the `key:value` words.
    let state_words: Vec<&str> = rest
        .iter()
        .take_while(|w| !is_property(w))
        .copied()
        .collect();
    let state = state_of(&state_words.join(" "));
    let property = |key: &str| {
        rest.iter()
            .find_map(|w| w.strip_prefix(key))
            .map(str::to_string)
    };
    let transport = if property("usb:").is_some() {
        Transport::Usb
    } else if looks_like_network(&serial) {
        Transport::Tcp
    } else {
        Transport::Usb
    };
    Some(DeviceInfo {
        serial,
        state,
        model: property("model:").filter(|m| !m.is_empty()),
        transport,
    })
}

fn is_property(word: &str) -> bool {
    ["usb:", "product:", "model:", "device:", "transport_id:"]
        .iter()
        .any(|p| word.starts_with(p))
}

/// Every state the adb server prints in its device lists, lowercase: the
/// thirteen of adb_client 3.2.3's `DeviceState` and `unknown`, adb's name for
/// a state it has no word for. `no permissions (…)` carries a sentence of help
/// and is kept whole as [`DeviceState::Other`].
pub const ADB_STATES: [&str; 14] = [
    "device",
    "offline",
    "unauthorized",
    "authorizing",
    "connecting",
    "no device",
    "noperm",
    "detached",
    "bootloader",
    "host",
    "recovery",
    "sideload",
    "rescue",
    "unknown",
];

/// Maps the server's state text to a [`DeviceState`]: known states
/// case-insensitively (others in their lowercase spelling), anything else verbatim.
pub fn state_of(text: &str) -> DeviceState {
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "device" => DeviceState::Device,
        "offline" => DeviceState::Offline,
        "unauthorized" => DeviceState::Unauthorized,
        known if ADB_STATES.contains(&known) => DeviceState::Other(lower),
        _ => DeviceState::Other(text.to_string()),
    }
}

/// `host:port` (IPv4, IPv6 in brackets or a host name) rather than a USB serial.
pub fn looks_like_network(serial: &str) -> bool {
    serial
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
}

/// True when the phone's feature list (`shell_v2,cmd,…`, comma-separated
/// names as adbd announces them) offers the shell protocol (`shell_v2`).
pub fn has_shell_v2(features: &str) -> bool {
    features.split(',').any(|f| f.trim() == "shell_v2")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_usb_network_and_odd_states() {
        let table = "\
emulator-5554          device product:sdk_gphone64 model:sdk_gphone64_x86_64 device:emu64x transport_id:1
127.0.0.1:40001        device product:sim model:Pixel_7 device:sim transport_id:2
R58M123ABC             unauthorized usb:1-1.2 transport_id:3
0123456789ABCDEF       no permissions (missing udev rules? user is in the plugdev group); see [http://developer.android.com/tools/device.html] usb:1-4 transport_id:4
10.0.0.7:5555          offline transport_id:5
";
        let list = parse_devices_long(table);
        assert_eq!(list.len(), 5);
        assert_eq!(list[0].serial, "emulator-5554");
        assert_eq!(list[0].state, DeviceState::Device);
        assert_eq!(list[0].model.as_deref(), Some("sdk_gphone64_x86_64"));
        assert_eq!(list[1].transport, Transport::Tcp);
        assert_eq!(list[1].model.as_deref(), Some("Pixel_7"));
        assert_eq!(list[2].state, DeviceState::Unauthorized);
        assert_eq!(list[2].transport, Transport::Usb);
        assert!(matches!(&list[3].state, DeviceState::Other(s) if s.starts_with("no permissions")));
        assert_eq!(list[4].state, DeviceState::Offline);
        assert_eq!(list[4].model, None);
        assert!(parse_devices_long("").is_empty());
    }

    #[test]
    fn recognises_shell_v2() {
        assert!(has_shell_v2("cmd,stat_v2,shell_v2,ls_v2"));
        assert!(!has_shell_v2("cmd,stat_v2"));
        assert!(!has_shell_v2(""));
        assert!(has_shell_v2(" shell_v2 ,cmd"));
        for near_miss in ["shell_v2x", "SHELL_V2", "shell", "shell_v", "cmd;shell_v2"] {
            assert!(!has_shell_v2(near_miss), "{near_miss}");
        }
        let huge = "x,".repeat(100_000);
        assert!(!has_shell_v2(&huge));
        assert!(has_shell_v2(&format!("{huge}shell_v2")));
    }

    #[test]
    fn every_state_the_server_prints_is_known() {
        assert_eq!(state_of("device"), DeviceState::Device);
        assert_eq!(state_of("offline"), DeviceState::Offline);
        assert_eq!(state_of("unauthorized"), DeviceState::Unauthorized);
        for state in &ADB_STATES[3..] {
            assert_eq!(state_of(state), DeviceState::Other(state.to_string()));
        }
        // The server's spelling is lowercase; other cases still name the same state.
        assert_eq!(state_of("DEVICE"), DeviceState::Device);
        assert_eq!(state_of("Recovery"), DeviceState::Other("recovery".into()));
    }

    #[test]
    fn unknown_states_are_kept_as_printed() {
        for odd in [
            "no permissions (user in plugdev group)",
            "Weird",
            "",
            "device2",
            "\u{0}",
        ] {
            assert_eq!(
                state_of(odd),
                DeviceState::Other(odd.to_string()),
                "{odd:?}"
            );
        }
        let long = "z".repeat(10_000);
        assert_eq!(state_of(&long), DeviceState::Other(long.clone()));
    }

    #[test]
    fn a_line_of_each_state_parses() {
        for (i, state) in ADB_STATES.iter().enumerate() {
            let line = format!("serial-{i}\t{state} transport_id:{i}");
            let list = parse_devices_long(&line);
            assert_eq!(list.len(), 1, "{line}");
            assert_eq!(list[0].state, state_of(state), "{line}");
        }
    }
}
