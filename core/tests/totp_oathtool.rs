//! TOTP codes agree with an independent implementation: `oathtool` (OATH Toolkit).
//! `.ci/run` installs it; this test fails loudly when it is missing.

use std::process::Command;

use farmhand::secret::{totp, TotpSecret};

fn oathtool(key: &str, at: u64) -> String {
    let out = Command::new("oathtool")
        .args(["--totp", "-b", "-N", &format!("@{at}"), key])
        .output()
        .expect("oathtool is not installed: `apt-get install oathtool` (.ci/run does it)");
    assert!(out.status.success(), "oathtool failed: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn jbswy3dpehpk3pxp_at_1700000000_is_324550_for_both() {
    assert_eq!(oathtool("JBSWY3DPEHPK3PXP", 1_700_000_000), "324550");
    assert_eq!(totp("JBSWY3DPEHPK3PXP", 1_700_000_000).unwrap(), "324550");
}

#[test]
fn codes_match_oathtool_over_many_keys_and_times() {
    let keys = [
        "JBSWY3DPEHPK3PXP",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ",
        "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U",
        "ORSXG5BAMJQXGZJTGIQGWZLZEBTG64TNOMQHI33UOAQGG33EMVZQ",
    ];
    let times = [
        0,
        59,
        1_111_111_109,
        1_700_000_000,
        1_700_000_029,
        1_700_000_030,
        4_102_444_800,
    ];
    for key in keys {
        let ours = TotpSecret::parse(&key.to_lowercase()).unwrap();
        for at in times {
            assert_eq!(ours.code_at(at), oathtool(key, at), "{key} at {at}");
        }
    }
}
