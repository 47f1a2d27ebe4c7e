//! warden-sigv4 (under construction).
