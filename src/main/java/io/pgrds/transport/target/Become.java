package io.pgrds.transport.target;

/** How commands that must run as the postgres OS user get there. */
public enum Become {
    /** {@code sudo -n -u postgres}. */
    SUDO,
    /** {@code runuser -u postgres --} (when connected as root). */
    RUNUSER,
    /** Already connected as the postgres user. */
    NONE
}
