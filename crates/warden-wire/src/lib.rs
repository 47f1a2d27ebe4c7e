//! warden-wire (under construction).
