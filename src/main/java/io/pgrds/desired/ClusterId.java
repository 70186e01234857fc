package io.pgrds.desired;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.regex.Pattern;

/** A cluster's identity: {@code team/stage}, taken from its file path {@code clusters/<team>/<stage>.yaml}. */
public record ClusterId(String team, String stage) implements Comparable<ClusterId> {
    /** Team and stage names end up in paths, stanza names and service names: keep them boring. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");

    public ClusterId {
        Objects.requireNonNull(team, "team");
        Objects.requireNonNull(stage, "stage");
    }

    /** Parses {@code team/stage}; returns null when the text is not of that form. */
    @JsonCreator
    public static ClusterId parse(String text) {
        if (text == null) {
            return null;
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash != text.lastIndexOf('/') || slash == text.length() - 1) {
            return null;
        }
        return new ClusterId(text.substring(0, slash), text.substring(slash + 1));
    }

    public static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }

    /** {@code team-stage}: a form usable in file names, stanza names and database names. */
    public String slug() {
        return team + "-" + stage;
    }

    @Override
    public int compareTo(ClusterId o) {
        int c = team.compareTo(o.team);
        return c != 0 ? c : stage.compareTo(o.stage);
    }

    @JsonValue
    @Override
    public String toString() {
        return team + "/" + stage;
    }
}
