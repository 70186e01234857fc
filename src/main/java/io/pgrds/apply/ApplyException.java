package io.pgrds.apply;

import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;

/** An action could not be carried out; the message names the node, the step and what to do. */
public class ApplyException extends PgrdsException {
    private static final long serialVersionUID = 1L;

    public ApplyException(String message) {
        super(ErrorCode.APPLY_FAILED, message);
    }

    public ApplyException(String message, Throwable cause) {
        super(ErrorCode.APPLY_FAILED, message, cause);
    }
}
