//! warden-types (under construction).
