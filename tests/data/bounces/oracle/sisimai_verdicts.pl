#!/usr/bin/perl
# Reference verdicts for the bounce corpus: runs Sisimai (Debian libsisimai-perl) over every
# file named on the command line in one process and prints one JSON object on stdout,
# {"path": [{"recipient", "alias", "reason", "softbounce", "deliverystatus", "replycode",
# "action", "smtpagent", "smtpcommand", "diagnosticcode", "feedbacktype"}, ...], ...}. A file Sisimai does not
# read as a bounce maps to []; one that makes Sisimai die maps to {"error": "..."}.
use strict;
use warnings;
use JSON::PP;
use Sisimai;

my $json = JSON::PP->new->canonical->utf8;
my %verdicts;
for my $path (@ARGV) {
    open(my $fh, '<:raw', $path) or do { $verdicts{$path} = { error => "$!" }; next };
    local $/;
    my $text = <$fh>;
    close $fh;
    $text = "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n" . $text unless $text =~ /\AFrom /;
    my $records = eval { Sisimai->make(\$text, delivered => 1) };
    if ($@) { $verdicts{$path} = { error => "$@" }; next }
    $verdicts{$path} = [
        map {
            {
                recipient      => $_->recipient->address,
                alias          => $_->alias // '',
                reason         => $_->reason // '',
                softbounce     => 0 + ($_->softbounce // -1),
                deliverystatus => $_->deliverystatus // '',
                replycode      => '' . ($_->replycode // ''),
                action         => $_->action // '',
                smtpagent      => $_->smtpagent // '',
                smtpcommand    => $_->smtpcommand // '',
                diagnosticcode => $_->diagnosticcode // '',
                feedbacktype   => $_->feedbacktype // '',
            }
        } @{ $records || [] }
    ];
}
print $json->encode(\%verdicts);
