package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mailcheck/mailcheck/probe"
)

// Shell completion comes from cobra's completion command (bash, zsh, fish, powershell), which asks the
// binary itself (`mailcheck __complete ...`) what to offer; this file says what that is for arguments and
// flag values, wherever a command has them.

// flagValues are the closed sets of flag values, with a description each (shown by zsh, fish and
// PowerShell).
var flagValues = map[string][]string{
	"starttls": {
		"no\tprobe plain ports in clear text",
		"try\tupgrade when offered, warn when not",
		"require\tupgrade, fail when STARTTLS is missing",
	},
	"color": {
		"auto\ton a terminal, unless NO_COLOR or TERM=dumb",
		"always\talso through a pipe (less -R)",
		"never\tno colours",
	},
	"expect": {"present\tthe service must answer", "absent\tthe service must not be offered"},
	"format": {
		"text\tthe human report", "json\tthe JSON report", "markdown\ta block to paste into a ticket",
		"settings\tonly the recommended settings, for scripts",
	},
	"plaintext-login": {"refused\tno password login before TLS", "offered\tpassword login before TLS is possible"},
	"auth-mechanisms": {"PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"},
}

// fileFlags take a file name: the shell completes files for them.
var fileFlags = map[string]bool{"ca-file": true, "password-file": true, "body-file": true, "config": true, "junit": true, "from-file": true}

// noFileFlags take a value that is never a file (durations, names, addresses, numbers).
var noFileFlags = map[string]bool{
	"resolver": true, "timeout": true, "max-time": true, "user": true, "from": true, "to": true,
	"subject": true, "body": true, "cert-crit": true, "cert-min-days": true, "cert-warn": true,
	"concurrency": true, "per-server": true, "shard": true, "listen": true, "allow-target": true, "allow-private": true,
	"target-interval": true, "timeout-offset": true, "history": true,
}

// registerCompletions attaches the completion of arguments and flag values to every command of the tree.
func registerCompletions(root *cobra.Command) {
	for _, c := range root.Commands() {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if fn := flagCompletion(c, f.Name); fn != nil {
				_ = c.RegisterFlagCompletionFunc(f.Name, fn)
			}
		})
		switch c.Name() {
		case "probe":
			c.ValidArgsFunction = completeURLs(probe.Services)
		case "check":
			c.ValidArgsFunction = completeOwnFlags(completeURLs(probe.Services))
		case "explain":
			c.ValidArgsFunction = completeOwnFlags(cobra.NoFileCompletions)
		}
	}
}

// flagCompletion is the completion of one flag's value, or nil for a flag without a value.
func flagCompletion(c *cobra.Command, name string) cobra.CompletionFunc {
	switch {
	case name == "server":
		var smtp []probe.Service
		for _, s := range probe.Services {
			if s.Protocol == probe.SMTP {
				smtp = append(smtp, s)
			}
		}
		return completeURLs(smtp)
	case flagValues[name] != nil:
		return cobra.FixedCompletions(flagValues[name], cobra.ShellCompDirectiveNoFileComp)
	case fileFlags[name]:
		return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveDefault
		}
	case noFileFlags[name]:
		return cobra.NoFileCompletions
	}
	return nil
}

// completeURLs offers the endpoint URL schemes ("imaps://") while no host has been typed yet; the shell
// adds no space after one, so the host follows directly.
func completeURLs(services []probe.Service) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if strings.Contains(toComplete, "://") {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, s := range services {
			if strings.HasPrefix(s.Scheme, toComplete) {
				out = append(out, cobra.CompletionWithDesc(s.Scheme+"://", fmt.Sprintf("%s, port %d, %s", strings.ToUpper(string(s.Protocol)), s.Port, s.Security.Label())))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// completeOwnFlags is the argument completion of a command that parses its own flags (check, explain):
// cobra completes their names but not their values, so a value after "--flag" or in "--flag=" is
// completed here with the flag's own completion, and anything else by args.
func completeOwnFlags(args cobra.CompletionFunc) cobra.CompletionFunc {
	return func(c *cobra.Command, typed []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if strings.HasPrefix(toComplete, "-") && !strings.Contains(toComplete, "=") {
			return nil, cobra.ShellCompDirectiveNoFileComp // a flag name: cobra has offered them
		}
		if name, value, ok := strings.Cut(toComplete, "="); ok && strings.HasPrefix(name, "--") {
			fn := flagCompletion(c, name[2:])
			if fn == nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			comps, dir := fn(c, typed, value)
			for i := range comps {
				comps[i] = name + "=" + comps[i]
			}
			return comps, dir
		}
		if n := len(typed); n > 0 && strings.HasPrefix(typed[n-1], "--") && !strings.Contains(typed[n-1], "=") {
			if f := c.Flags().Lookup(typed[n-1][2:]); f != nil && f.NoOptDefVal == "" {
				if fn := flagCompletion(c, f.Name); fn != nil {
					return fn(c, typed, toComplete)
				}
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
		}
		return args(c, typed, toComplete)
	}
}
