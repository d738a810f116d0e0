//! Text fields being filled in on a login screen.

use crate::app::KeyCode;
use crate::ui::Rect;

use super::act::Act;
use super::view::{Painter, Widget};

/// Which text field has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// Username, email or phone.
    Login,
    /// Password.
    Password,
    /// Phone number (TikTok's phone tab).
    Phone,
    /// Authenticator code.
    Code,
}

/// The contents of a login form. Cleared when the form is left, so a typed
/// password never outlives its screen; `Debug` shows only whether the password
/// and the code were typed.
#[derive(Clone, Default)]
pub(crate) struct Form {
    pub login: String,
    pub password: String,
    pub phone: String,
    pub code: String,
    pub focus: Option<Field>,
}

impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let typed = |value: &str| if value.is_empty() { "" } else { "<redacted>" };
        f.debug_struct("Form")
            .field("login", &self.login)
            .field("password", &typed(&self.password))
            .field("phone", &self.phone)
            .field("code", &typed(&self.code))
            .field("focus", &self.focus)
            .finish()
    }
}

impl Form {
    /// What has been typed into `field`.
    pub fn value(&self, field: Field) -> &str {
        match field {
            Field::Login => &self.login,
            Field::Password => &self.password,
            Field::Phone => &self.phone,
            Field::Code => &self.code,
        }
    }

    fn field_mut(&mut self, field: Field) -> &mut String {
        match field {
            Field::Login => &mut self.login,
            Field::Password => &mut self.password,
            Field::Phone => &mut self.phone,
            Field::Code => &mut self.code,
        }
    }

    /// Types `text` into the focused field (nothing happens without focus, as on a phone).
    pub fn type_text(&mut self, text: &str) {
        if let Some(field) = self.focus {
            self.field_mut(field).push_str(text);
        }
    }

    /// Deletes the last character of the focused field.
    pub fn backspace(&mut self) {
        if let Some(field) = self.focus {
            self.field_mut(field).pop();
        }
    }

    /// True when both a login and a password have been typed.
    pub fn filled_in(&self) -> bool {
        !self.login.is_empty() && !self.password.is_empty()
    }

    /// True when `field` has the keyboard.
    pub fn focused(&self, field: Field) -> bool {
        self.focus == Some(field)
    }

    /// The text field for `field` at `bounds`: its value (dots for the
    /// password), `hint` while empty; tapping it gives it the keyboard.
    pub fn edit<S, O, Own>(
        &self,
        p: Painter<'_>,
        bounds: Rect,
        field: Field,
        hint: &str,
    ) -> Widget<Act<S, O, Own>> {
        p.edit(
            bounds,
            self.value(field),
            hint,
            field == Field::Password,
            self.focused(field),
            Act::Focus(field),
        )
    }

    /// A key pressed while the form has the keyboard: DEL deletes the last
    /// character, ENTER or TAB in the login field moves on to the password,
    /// ENTER in a filled-in password (with a login) or code field asks to submit it.
    pub fn press(&mut self, key: KeyCode) -> KeyPress {
        match key {
            KeyCode::Del => self.backspace(),
            KeyCode::Enter | KeyCode::Tab => match self.focus {
                Some(Field::Login) => self.focus = Some(Field::Password),
                Some(Field::Password) if key == KeyCode::Enter && self.filled_in() => {
                    return KeyPress::Submit(Field::Password)
                }
                Some(Field::Code) if key == KeyCode::Enter && !self.code.is_empty() => {
                    return KeyPress::Submit(Field::Code)
                }
                _ => {}
            },
            _ => return KeyPress::Unused,
        }
        KeyPress::Used
    }

    /// Empties every field and drops the focus.
    pub fn clear(&mut self) {
        *self = Form::default();
    }
}

/// What a key press did to a form that has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyPress {
    /// Not a key forms react to; the app may let the phone have it.
    Unused,
    /// Taken by the form (even where it changed nothing).
    Used,
    /// ENTER in this filled-in field: the app submits the password or the code.
    Submit(Field),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_neither_the_typed_password_nor_the_code() {
        let form = Form {
            login: "alice".into(),
            password: "hunter2-pw".into(),
            code: "492039".into(),
            ..Form::default()
        };
        let shown = format!("{form:?}");
        assert!(shown.contains("alice"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("492039"),
            "{shown}"
        );
    }
}
