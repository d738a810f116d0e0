//! Text fields being filled in on a login screen.

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
/// password never outlives its screen.
#[derive(Debug, Clone, Default)]
pub(crate) struct Form {
    pub login: String,
    pub password: String,
    pub phone: String,
    pub code: String,
    pub focus: Option<Field>,
}

impl Form {
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

    /// True when `field` has the keyboard.
    pub fn focused(&self, field: Field) -> bool {
        self.focus == Some(field)
    }

    /// Empties every field and drops the focus.
    pub fn clear(&mut self) {
        *self = Form::default();
    }
}
