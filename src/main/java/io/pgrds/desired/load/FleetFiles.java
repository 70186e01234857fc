package io.pgrds.desired.load;

import io.pgrds.desired.ClusterId;
import io.pgrds.source.Snapshot;
import io.pgrds.util.Texts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The fleet files of one commit, parsed and sorted by layer: {@code clusters/defaults.yaml}, each team's
 * {@code team.yaml}, each cluster's {@code <team>/<stage>.yaml}. Files elsewhere under {@code clusters/}, or named
 * in a way pgrds would not read, are reported rather than skipped in silence.
 */
record FleetFiles(Optional<YamlFile> defaults, Map<String, YamlFile> teams, Map<ClusterId, YamlFile> clusters) {

    /** Sorts and parses the files; every problem found, the files' own included, goes to {@code problems}. */
    static FleetFiles read(Snapshot snapshot, List<Problem> problems) {
        YamlFile defaults = null;
        Map<String, YamlFile> teams = new HashMap<>();
        Map<ClusterId, YamlFile> clusters = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : snapshot.files().entrySet()) {
            String path = e.getKey();
            if (!path.startsWith("clusters/")) {
                continue;
            }
            String rest = path.substring("clusters/".length());
            String[] parts = rest.split("/", -1);
            if (rest.endsWith(".yml")) {
                problems.add(new Problem(path, 0, 0, "", ProblemCode.UNEXPECTED_FILE,
                        "fleet files end in .yaml; rename it to " + path.substring(0, path.length() - 4)
                                + ".yaml so that pgrds reads it."));
                continue;
            }
            if (!rest.endsWith(".yaml")) {
                continue; // READMEs and the like are fine
            }
            if (parts.length == 1 && parts[0].equals("defaults.yaml")) {
                defaults = parse(path, e.getValue(), true, problems);
            } else if (parts.length == 2) {
                String team = parts[0];
                String stage = parts[1].substring(0, parts[1].length() - ".yaml".length());
                if (!validName(path, "team", team, "directory", problems)) {
                    continue;
                }
                if (stage.equals("team")) {
                    teams.put(team, parse(path, e.getValue(), true, problems));
                } else if (validName(path, "stage", stage, "file", problems)) {
                    clusters.put(new ClusterId(team, stage), parse(path, e.getValue(), false, problems));
                }
            } else {
                problems.add(new Problem(path, 0, 0, "", ProblemCode.UNEXPECTED_FILE, "pgrds reads "
                        + "clusters/defaults.yaml, clusters/<team>/team.yaml and clusters/<team>/<stage>.yaml only;"
                        + " move this file to one of those places or remove it."));
            }
        }
        return new FleetFiles(Optional.ofNullable(defaults), teams, clusters);
    }

    /** The layers of one cluster, the most general first: {@code builtin}, the defaults, its team's, its own. */
    List<YamlFile> layers(YamlFile builtin, ClusterId id) {
        List<YamlFile> files = new ArrayList<>();
        files.add(builtin);
        defaults.ifPresent(files::add);
        YamlFile team = teams.get(id.team());
        if (team != null) {
            files.add(team);
        }
        files.add(clusters.get(id));
        return files;
    }

    private static YamlFile parse(String path, byte[] bytes, boolean emptyAllowed, List<Problem> problems) {
        YamlFile f = YamlFile.parse(path, bytes, emptyAllowed);
        problems.addAll(f.problems());
        return f;
    }

    /** A team (a directory) or stage (a file) name that is no {@link ClusterId} part is reported; true if valid. */
    private static boolean validName(String path, String what, String name, String renameThe, List<Problem> problems) {
        if (ClusterId.validName(name)) {
            return true;
        }
        problems.add(new Problem(path, 0, 0, "", ProblemCode.INVALID_NAME, what + " name " + Texts.show(name)
                + " is not valid: use lowercase letters, digits and '-', starting with a letter (at most 40"
                + " characters); rename the " + renameThe + "."));
        return false;
    }
}
