package io.pgrds.cli;

import picocli.CommandLine;

/** The jar's version, or "dev" when run from classes. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = PgrdsCommand.class.getPackage().getImplementationVersion();
        return new String[] {"pgrds " + (v == null ? "dev" : v)};
    }
}
