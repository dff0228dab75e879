package io.fttcp.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code ./fttcp} command: subcommands for serving, the demo and the benchmarks. */
@Command(name = "fttcp",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Fault-tolerant TCP: client connections survive the crash of the server behind them.",
        subcommands = {ServeCommand.class, PrimaryCommand.class, BackupCommand.class, LoggerCommand.class, StandbyCommand.class, DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'fttcp help'");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (0 ok, 1 failure, 2 usage error or not available). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line, for tests and for callers that set their own output streams. */
    public static CommandLine commandLine() {
        return commandLine(new Main());
    }

    static CommandLine commandLine(Object command) {
        CommandLine commandLine = new CommandLine(command);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            // Failures at run time (a port in use, a missing directory) are one clear line, not a stack trace.
            cl.getErr().println("fttcp " + cl.getCommandName() + ": " + describe(e));
            if (!(e instanceof java.io.IOException)) {
                e.printStackTrace(cl.getErr());
            }
            return 1;
        });
        return commandLine;
    }

    /**
     * What went wrong, in a line. The file system's exceptions for the commonest failures (no such
     * file, permission denied, already exists) carry only the file, and some exceptions no message.
     */
    static String describe(Exception e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() == null) {
            String why = switch (f) {
                case java.nio.file.NoSuchFileException n -> "no such file or directory";
                case java.nio.file.AccessDeniedException a -> "permission denied";
                case java.nio.file.FileAlreadyExistsException a -> "already exists";
                case java.nio.file.NotDirectoryException n -> "not a directory";
                case java.nio.file.DirectoryNotEmptyException n -> "directory not empty";
                default -> f.getClass().getSimpleName();
            };
            return f.getMessage() + ": " + why;
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[]{"fttcp " + (version == null ? "(development build)" : version)};
        }
    }
}
