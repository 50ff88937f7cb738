/** Internals of the Spring AI adapter: message mapping, per-message extras, the merge. Not API. */
package org.sessionkit.springai.internal;
