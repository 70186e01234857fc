package io.pgrds.desired.load;

/** Stable codes for everything that can be wrong with a fleet repository. */
public enum ProblemCode {
    // reading a file
    FILE_TOO_LARGE,
    NOT_UTF8,
    TAB_INDENTATION,
    YAML_SYNTAX,
    DUPLICATE_KEY,
    EMPTY_FILE,
    NOT_A_MAPPING,
    UNEXPECTED_FILE,
    // the schema
    UNKNOWN_KEY,
    MISSING_KEY,
    WRONG_TYPE,
    INVALID_VALUE,
    // values that would reach a file or a command: a control character anywhere, a pg_hba field outside its grammar
    CONTROL_CHARACTER,
    INVALID_HBA,
    // the meaning
    INVALID_NAME,
    NO_NODES,
    DUPLICATE_NODE,
    DATA_DIRECTORY_CONFLICT,
    PORT_CONFLICT,
    HOST_IN_TWO_CLUSTERS,
    PRIMARY_NOT_A_NODE,
    RESTORE_SOURCE_UNKNOWN,
    BACKUP_REPOSITORY_UNKNOWN,
    INVALID_SCHEDULE,
    RESERVED_PARAMETER,
    QUORUM_ABOVE_STANDBYS,
    FAILOVER_TIMING
}
