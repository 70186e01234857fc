package io.pgrds;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * Who may depend on whom, checked on the compiled classes (STYLE.md: the planner is pure; the loop reads as
 * source → transport → desired → observe → plan → apply → app → cli/daemon). A change that breaks a rule fails here
 * with the offending class and line, not in a review.
 */
class ArchitectureTest {
    private static final JavaClasses PGRDS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.pgrds");

    /** What I/O, clocks and chance look like in bytecode: none of it may be used by a pure part. */
    private static final String[] IMPURE = {"java.io..", "java.nio.file..", "java.nio.channels..", "java.net..",
        "java.sql..",
        "java.util.concurrent..", "org.postgresql..", "net.schmizz..", "com.hierynomus..", "org.eclipse.jgit..",
        "org.quartz..", "io.pgrds.transport", "io.pgrds.source..", "io.pgrds.apply..", "io.pgrds.cli..",
        "io.pgrds.daemon..", "io.pgrds.render.."};

    @Test
    void thePackagesFormLayersThatOnlyLookDown() {
        ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("util").definedBy("io.pgrds.util..")
                .layer("error").definedBy("io.pgrds.error..")
                .layer("source").definedBy("io.pgrds.source..")
                .layer("desired").definedBy("io.pgrds.desired..")
                .layer("transport").definedBy("io.pgrds.transport..")
                .layer("observe").definedBy("io.pgrds.observe..")
                .layer("plan").definedBy("io.pgrds.plan..")
                .layer("render").definedBy("io.pgrds.render..")
                .layer("apply").definedBy("io.pgrds.apply..")
                .layer("app").definedBy("io.pgrds.app..")
                .layer("daemon").definedBy("io.pgrds.daemon..")
                .layer("cli").definedBy("io.pgrds.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("daemon").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("app").mayOnlyBeAccessedByLayers("daemon", "cli")
                .whereLayer("apply").mayOnlyBeAccessedByLayers("app", "daemon", "cli")
                .whereLayer("render").mayOnlyBeAccessedByLayers("daemon", "cli")
                .whereLayer("plan").mayOnlyBeAccessedByLayers("render", "apply", "app", "daemon", "cli")
                .whereLayer("observe").mayOnlyBeAccessedByLayers("plan", "render", "apply", "app", "daemon", "cli")
                .whereLayer("transport").mayOnlyBeAccessedByLayers("desired", "observe", "plan", "render", "apply",
                        "app", "daemon", "cli")
                .whereLayer("desired").mayOnlyBeAccessedByLayers("observe", "plan", "render", "apply", "app",
                        "daemon", "cli")
                .whereLayer("source").mayOnlyBeAccessedByLayers("desired", "daemon", "cli")
                .whereLayer("error").mayOnlyBeAccessedByLayers("util", "source", "desired", "transport", "observe",
                        "plan", "render", "apply", "app", "daemon", "cli");
        layers.check(PGRDS);
    }

    /**
     * The command line and the daemon parse, render and schedule; what reaches a node (observing, planning, applying,
     * backing up, reading a node's files) they ask of the application layer, where it is assembled once. They may
     * still name apply's values and events (an outcome, an audit record, the listener they render).
     */
    @Test
    void theCommandLineAndTheDaemonReachNodesOnlyThroughTheApplicationLayer() {
        noClasses().that().resideInAnyPackage("io.pgrds.cli..", "io.pgrds.daemon..").should().dependOnClassesThat()
                .haveFullyQualifiedName("io.pgrds.apply.Executor").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("io.pgrds.apply.Backups").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("io.pgrds.apply.RestoreDrill").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("io.pgrds.apply.NodeOps").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("io.pgrds.apply.LocalAudit").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("io.pgrds.observe.Observer").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("io.pgrds.plan.Planner").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("io.pgrds.plan.BackupRules").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("io.pgrds.transport.NodeShell").check(PGRDS);
    }

    @Test
    void thereIsNoCycleBetweenPackages() {
        slices().matching("io.pgrds.(*)..").should().beFreeOfCycles().check(PGRDS);
    }

    @Test
    void thePlannerUsesNoIoNoClockAndNoChance() {
        noClasses().that().resideInAPackage("io.pgrds.plan..").should().dependOnClassesThat()
                .resideInAnyPackage(IMPURE).check(PGRDS);
        noClasses().that().resideInAPackage("io.pgrds.plan..").should().callMethodWhere(Impure.CALL).check(PGRDS);
        noClasses().that().resideInAPackage("io.pgrds.plan..").should().dependOnClassesThat()
                .haveFullyQualifiedName("java.util.Random").orShould().dependOnClassesThat()
                .haveFullyQualifiedName("java.time.Clock").check(PGRDS);
    }

    /** The transport reaches nodes; what a node is, and everything else of the cluster files, it is told. */
    @Test
    void theTransportKnowsNothingOfTheClusterFiles() {
        noClasses().that().resideInAPackage("io.pgrds.transport..").should().dependOnClassesThat()
                .resideInAPackage("io.pgrds.desired..").check(PGRDS);
        // the values the cluster files' model shares with the transport are values: no I/O
        noClasses().that().resideInAPackage("io.pgrds.transport.target..").should().dependOnClassesThat()
                .resideInAnyPackage(IMPURE).check(PGRDS);
    }

    /** The planner calls these from observe and util: they must be as pure as it is. */
    @Test
    void whatThePlannerCallsOutsideItsPackageIsPureToo() {
        for (String name : new String[] {"io.pgrds.observe.ArchiveHealth", "io.pgrds.util.ShellQuote",
            "io.pgrds.util.Texts"}) {
            noClasses().that().haveFullyQualifiedName(name).should().dependOnClassesThat().resideInAnyPackage(IMPURE)
                    .check(PGRDS);
            noClasses().that().haveFullyQualifiedName(name).should().callMethodWhere(Impure.CALL).check(PGRDS);
        }
    }
}
