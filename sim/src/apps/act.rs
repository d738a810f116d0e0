//! What tapping a view does, in either app.

use super::form::Field;

/// What tapping a view does. `S` and `O` are the app's screens and overlays;
/// `Own` the taps only that app has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Act<S, O, Own> {
    /// Nothing the simulation follows up.
    Nothing,
    /// What the BACK key does.
    Back,
    /// Gives a text field the keyboard.
    Focus(Field),
    /// Submits the login form.
    LogIn,
    /// Shows a screen, closing any overlay.
    Show(S),
    /// Opens a sheet or dialog.
    Open(O),
    /// Closes the sheet or dialog.
    Dismiss,
    /// Makes the held account at this index active.
    SwitchTo(usize),
    /// Starts logging in one more account.
    AddAccount,
    /// Logs the active account out.
    LogOut,
    /// One of the app's own taps.
    Own(Own),
}
