/**
 * The {@code sessionkit} command line: {@link org.sessionkit.cli.Sessionkit} runs it (also from
 * programs that embed it), {@link org.sessionkit.cli.StoreOpener} lets them supply their own
 * stores, and {@link org.sessionkit.cli.ExitCode} names its exit statuses. For operators, and for
 * tools that embed the command.
 */
@NullMarked
package org.sessionkit.cli;

import org.jspecify.annotations.NullMarked;
