/*
 * Copyright 2026 the kaio authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.kaio.tools;

import dev.kaio.Aio;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * The {@code kaio} command: {@code kaio bench} (a fio-style load generator on kaio's low-level
 * engine), {@code kaio doctor} (what this system offers Linux AIO) and {@code kaio soak} (a load run
 * that verifies every acknowledged write).
 *
 * <p>Exit status: 0 success, 1 failure (an I/O error, a failed verification), 2 usage error. Run it
 * with {@code ./kaio} from the repository, or on the module path:
 * {@snippet lang=sh :
 * java --enable-native-access=dev.kaio -p target/lib:target/kaio-tools.jar -m dev.kaio.tools bench --help
 * }
 */
public final class Main {

    /** The exit status of a command-line mistake. */
    static final int USAGE_ERROR = 2;

    private Main() {}

    /**
     * Runs the tool with the command line {@code args} and exits the JVM with its status.
     *
     * @param args the command and its options, e.g. {@code bench --rw randread --iodepth 32}
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the tool without exiting the JVM.
     *
     * @param args the command and its options
     * @param out  where reports and {@code --help} go
     * @param err  where errors (and the live progress line of {@code kaio bench}) go
     * @return the exit status: 0 success, 1 failure, 2 usage error
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return commandLine(new KaioCommand(out, err), out, err).execute(args);
    }

    /** A picocli command line for {@code command}, with kaio's messages and exit statuses. */
    static CommandLine commandLine(Object command, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(command);
        if (command instanceof KaioCommand kaio) {
            cl.addSubcommand(new BenchCommand(kaio.out, kaio.err));
            cl.addSubcommand(new DoctorCommand(kaio.out));
            cl.addSubcommand(new SoakCommand(kaio.out));
            cl.addSubcommand(new CommandLine.HelpCommand());
            cl.addSubcommand(new VersionCommand(kaio.out));
        }
        cl.setOverwrittenOptionsAllowed(true); // as fio: a later --bs overrides an earlier one
        cl.setOut(new PrintWriter(out, true, out.charset()));
        cl.setErr(new PrintWriter(err, true, err.charset()));
        cl.setParameterExceptionHandler((e, args) -> usageError(err, message(e)));
        cl.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof UsageException u) {
                return usageError(err, u.getMessage());
            }
            err.println("kaio: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        });
        return cl;
    }

    private static int usageError(PrintStream err, String message) {
        err.println("kaio: " + message);
        err.println("run 'kaio --help' for usage");
        return USAGE_ERROR;
    }

    /** kaio's wording of a mistake picocli found on the command line. */
    static String message(ParameterException e) {
        String command = e.getCommandLine().getCommandName();
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            if (command.equals("kaio")) {
                return "unknown command: " + arg;
            }
            return arg.startsWith("-") ? "unknown option for kaio " + command + ": " + arg : "unexpected argument: " + arg;
        }
        if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            ArgSpec missing = m.getMissing().get(0);
            if (missing instanceof OptionSpec option) {
                return option.names()[0] + " needs a value";
            }
        }
        if (e.getCause() instanceof UsageException u) {
            return u.getMessage();
        }
        return e.getMessage();
    }

    /** kaio's version: the library's ({@link Aio#version()}); the tool is released with it. */
    static String version() {
        return Aio.version();
    }

    /** The top-level {@code kaio} command: a command is required. */
    @Command(name = "kaio", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Linux kernel AIO from Java: benchmark it, check a system for it, soak-test it.",
            synopsisSubcommandLabel = "COMMAND",
            commandListHeading = "%nCommands:%n",
            footerHeading = "%n",
            footer = "Exit status: 0 success, 1 failure (I/O error, failed verification), 2 usage error.")
    static final class KaioCommand implements Callable<Integer> {

        final PrintStream out;
        final PrintStream err;

        KaioCommand(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws UsageException {
            throw new UsageException("no command given");
        }
    }

    /** {@code kaio version}, as {@code kaio --version}. */
    @Command(name = "version", description = "print kaio's version")
    static final class VersionCommand implements Callable<Integer> {

        private final PrintStream out;

        VersionCommand(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() {
            out.println("kaio " + version());
            return 0;
        }
    }

    /** What {@code --version} prints. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kaio " + version()};
        }
    }

    /**
     * Parses {@code args} for {@code command} (a subcommand object) without running it.
     *
     * @throws UsageException with kaio's message if picocli refuses the command line
     */
    static <T> T parse(T command, java.util.List<String> args) throws UsageException {
        CommandLine cl = new CommandLine(command);
        cl.setOverwrittenOptionsAllowed(true);
        try {
            cl.parseArgs(args.toArray(String[]::new));
        } catch (ParameterException e) {
            throw new UsageException(message(e));
        }
        return command;
    }
}
