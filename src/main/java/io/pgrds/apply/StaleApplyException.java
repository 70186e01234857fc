package io.pgrds.apply;

import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;

/**
 * The plan made again under the lock differs from the one that was approved: the servers changed while apply waited
 * (for the lock, for a person to type yes) or since a saved plan was made. Nothing was applied.
 */
public final class StaleApplyException extends PgrdsException {
    private static final long serialVersionUID = 1L;

    public StaleApplyException(String message) {
        super(ErrorCode.PLAN_STALE, message);
    }
}
