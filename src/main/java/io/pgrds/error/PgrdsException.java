package io.pgrds.error;

/**
 * The one exception root of pgrds. Every failure a user can meet carries a stable {@link ErrorCode}
 * and a message that says what failed, why, and what to do next. The CLI prints the message (no stack
 * trace unless {@code --debug}) and exits with the code's exit status.
 */
public class PgrdsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public PgrdsException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public PgrdsException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
