//! warden-policy (under construction).
