//! `uniffi-bindgen`: writes the Python, Kotlin and Swift sources for the built
//! `farmhand_ffi` library (`generate.sh` runs it in library mode).

fn main() {
    uniffi::uniffi_bindgen_main()
}
