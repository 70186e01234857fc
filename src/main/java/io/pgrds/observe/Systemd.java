package io.pgrds.observe;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How systemd stands on a node where it runs (the probe found {@code /run/systemd/system}, which exists only when
 * systemd is PID 1, and {@code systemctl} answered): the node's instance of the {@code pgrds@.service} template,
 * whether the template is installed, and whether the instance is enabled at boot and active. A node where systemd
 * does not run has no such value, and pgrds starts and stops its server with {@code pg_ctl}.
 *
 * @param unit      the instance, {@code pgrds@<systemd-escape --path DATA_DIRECTORY>.service}
 * @param loadState systemd's {@code LoadState}: {@code loaded} when the template is installed, {@code not-found}
 *                  when it is missing
 * @param enabled   {@code UnitFileState} is {@code enabled}: the instance starts at boot
 * @param active    systemd's {@code ActiveState} ({@code active}, {@code inactive}, {@code failed}, ...)
 */
public record Systemd(String unit, String loadState, boolean enabled, String active) {
    /** The unit template the pgrds_node Ansible role installs. */
    public static final String TEMPLATE = "pgrds@.service";

    public boolean installed() {
        return loadState.equals("loaded");
    }

    /** {@code pgrds@var-lib-pgrds-orderdata\x2dintegration-data.service}: the instance for a data directory. */
    public static String unitFor(String dataDirectory) {
        return "pgrds@" + escapePath(dataDirectory) + ".service";
    }

    /**
     * What {@code systemctl show --property=LoadState,UnitFileState,ActiveState UNIT} printed, read; empty when a
     * line is missing (the probe's output is then no evidence of either state).
     */
    public static Optional<Systemd> parse(String unit, String show) {
        String load = null;
        String file = null;
        String active = null;
        for (String line : show.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String value = line.substring(eq + 1).strip();
            switch (line.substring(0, eq).strip()) {
                case "LoadState" -> load = value;
                case "UnitFileState" -> file = value;
                case "ActiveState" -> active = value;
                default -> { }
            }
        }
        if (load == null || file == null || active == null) {
            return Optional.empty();
        }
        return Optional.of(new Systemd(unit, load, file.equals("enabled"), active));
    }

    /**
     * {@code systemd-escape --path}: the path simplified (repeated and trailing slashes, {@code .} components
     * dropped), the slashes at both ends removed, every other slash made {@code -}, and each byte that is not an
     * ASCII letter, digit, {@code :}, {@code _} or {@code .} (and a leading {@code .}) written {@code \xNN}; the
     * root is {@code -}.
     *
     * @throws IllegalArgumentException for a path systemd refuses to escape (relative, or with a {@code ..})
     */
    public static String escapePath(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: " + path);
        }
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                throw new IllegalArgumentException("a path with .. has no unit name: " + path);
            }
            parts.add(p);
        }
        if (parts.isEmpty()) {
            return "-";
        }
        byte[] bytes = String.join("/", parts).getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            if (b == '/') {
                out.append('-');
            } else if ((i == 0 && b == '.') || !valid(b)) {
                out.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            } else {
                out.append((char) b);
            }
        }
        return out.toString();
    }

    private static boolean valid(int b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == ':' || b == '_'
                || b == '.';
    }
}
