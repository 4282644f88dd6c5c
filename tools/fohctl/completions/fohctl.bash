# bash completion for fohctl: commands and options from `fohctl --help`,
# objects and channel numbers from `fohctl list`, properties and methods from
# `fohctl describe` — so it follows whatever the running fohd serves.
# Installed to bash-completion's completionsdir as "fohctl".

_fohctl_run() {
	"$_fohctl_cmd" "$@" 2>/dev/null
}

# Members of OBJECT: props, writable (rw properties), methods.
_fohctl_members() {
	local what=$1 object=$2
	case $what in
	props)    _fohctl_run describe "$object" | awk '$1 == "property" { print $2 }' ;;
	writable) _fohctl_run describe "$object" | awk '$1 == "property" && $4 == "rw" { print $2 }' ;;
	methods)  _fohctl_run describe "$object" | awk '$1 == "method" { print $2 }' ;;
	esac
}

_fohctl() {
	local cur=${COMP_WORDS[COMP_CWORD]} i cmd= cmd_at=0 words=()
	local _fohctl_cmd=${COMP_WORDS[0]}

	# The command is the first word that is not an option; what follows it
	# (options left out) are its arguments.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) if [ -z "$cmd" ]; then cmd=${COMP_WORDS[i]}; cmd_at=$i; else words+=("${COMP_WORDS[i]}"); fi ;;
		esac
	done

	if [[ $cur == -* ]]; then
		local opts="--json --help"
		[ -z "$cmd" ] && opts+=" --version"
		[ "$cmd" = meters ] && opts+=" --once --count"
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$(_fohctl_run --help | awk '/^  [a-z]/ { print $1 }')" -- "$cur"))
		return
	fi
	[ "$cmd_at" -gt 0 ] || return

	local n=${#words[@]} object
	case $cmd in
	get|set|call|describe)
		if [ "$n" -eq 0 ]; then
			COMPREPLY=($(compgen -W "$(_fohctl_run list | awk '{ print $1 }')" -- "$cur"))
			return
		fi
		object=${words[0]}
		case $cmd in
		get) COMPREPLY=($(compgen -W "$(_fohctl_members props "$object")" -- "$cur")) ;;
		set) [ "$n" -eq 1 ] && COMPREPLY=($(compgen -W "$(_fohctl_members writable "$object")" -- "$cur")) ;;
		call) [ "$n" -eq 1 ] && COMPREPLY=($(compgen -W "$(_fohctl_members methods "$object")" -- "$cur")) ;;
		esac
		;;
	channel)
		if [ "$n" -eq 0 ]; then
			COMPREPLY=($(compgen -W "$(_fohctl_run list | sed -n 's|^channel/\([0-9]*\).*|\1|p')" -- "$cur"))
			return
		fi
		object=channel/${words[0]}
		COMPREPLY=($(compgen -W "$(_fohctl_members props "$object") $(_fohctl_members methods "$object")" -- "$cur"))
		;;
	manager|analyzer|x32|stabilizer)
		object=$cmd
		COMPREPLY=($(compgen -W "$(_fohctl_members props "$object") $(_fohctl_members methods "$object")" -- "$cur"))
		;;
	esac
}

complete -F _fohctl fohctl
