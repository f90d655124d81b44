/*
 * catalog_en.h: ward's messages in English: the reference: every id has its text here, and its printf
 * conversions are what every other language must take.
 * Texts are printf formats; the arguments are the caller's. Each is a
 * macro ID_EN (a string literal), so that -Wformat checks it against
 * the arguments at every call site (catalog.h's MSG).
 */
#ifndef WARD_NODE_CATALOG_EN_H
#define WARD_NODE_CATALOG_EN_H

#define MSG_NEEDS_VALUE_EN \
	"%s needs a value"
#define MSG_UNKNOWN_OPTION_SEE_WARD_HELP_EN \
	"unknown option %s (see ward --help)"
#define MSG_NO_DATA_DIRECTORY_GIVE_DATA_EN \
	"no data directory: give --data DIR or set " \
	"WARD_DATA"
#define MSG_PROOFS_EN \
	"proofs   %zu\n"
#define MSG_FORK_WROTE_TWO_DIFFERENT_ENTRIES_EN \
	"  FORK  %.16s %s wrote two different entries " \
	"at scope %s seq %lld\n"
#define MSG_DIVERGENCE_HOLD_SAME_ENTRIES_BUT_EN \
	"  DIVERGENCE  %s and %s hold the same entries " \
	"but different states\n"
#define MSG_SEQ_EN \
	"%s  %-8s %s/%s seq %lld.%lld  %-6s "
#define MSG_NO_EFFECT_EN \
	"   NO EFFECT: %s"
#define MSG_TIMELINE_IS_FOR_A_PATIENT_EN \
	"--timeline is for a patient; %s is a %s record"
#define MSG_GIVE_MONTH_OR_ON_NOT_BOTH_EN \
	"give --month or --on, not both"
#define MSG_MONTH_NOT_A_MONTH_EN \
	"--month %s is not a month (YYYY-MM, e.g. 2026-08)"
#define MSG_PATIENTS_WITH_OR_WITHOUT_RECORD_EN \
	"%s=%s: for patients, %s= lists those without a " \
	"%s record and %s=yes those with one"
#define MSG_USAGE_WARD_SHOW_TIMELINE_EN \
	"usage: ward show PATIENT --timeline"
#define MSG_CANNOT_WRITE_FILE_EN \
	"ward: cannot write %s\n"
#define MSG_WROTE_ROWS_TO_EN \
	"wrote %zu rows to %s\n"
#define MSG_COLUMNS_DO_NOT_FIT_TERMINAL_EN \
	"(%zu more columns, from %s on, do not fit this " \
	"terminal: widen it, pipe the list, or use --json " \
	"or --csv FILE)\n"
#define MSG_WL_H_PATIENT_NO_EN \
	"PATIENT NO"
#define MSG_WL_H_NAME_EN \
	"NAME"
#define MSG_WL_H_VILLAGE_EN \
	"VILLAGE"
#define MSG_WL_H_PHONE_EN \
	"PHONE"
#define MSG_WL_H_RISK_EN \
	"RISK"
#define MSG_WL_H_RISK_ON_EN \
	"RISK ON"
#define MSG_WL_H_LAST_VISIT_EN \
	"LAST VISIT"
#define MSG_WL_H_DUE_EN \
	"DUE"
#define MSG_WL_H_OVERDUE_EN \
	"OVERDUE"
#define MSG_WL_H_CLASS_EN \
	"CLASS"
#define MSG_WL_H_LAST_ATTEMPT_EN \
	"LAST ATTEMPT"
#define MSG_WL_H_FAILED_ATTEMPTS_EN \
	"FAILED ATTEMPTS"
#define MSG_WL_H_GUARDIAN_EN \
	"GUARDIAN"
#define MSG_WL_H_GUARDIAN_PHONE_EN \
	"GUARDIAN PHONE"
#define MSG_WL_H_CARE_GROUP_LEADER_EN \
	"CARE GROUP LEADER"
#define MSG_WL_H_ID_EN \
	"ID"
#define MSG_WL_H_DATE_EN \
	"DATE"
#define MSG_WL_H_TYPE_EN \
	"TYPE"
#define MSG_WL_H_SCOPE_EN \
	"SCOPE"
#define MSG_WL_H_FIELDS_EN \
	"FIELDS"
#define MSG_WL_H_EVENT_EN \
	"EVENT"
#define MSG_WL_H_DETAILS_EN \
	"DETAILS"
#define MSG_WL_H_WRITTEN_BY_EN \
	"WRITTEN BY"
#define MSG_WL_EV_REGISTERED_EN \
	"registered"
#define MSG_WL_EV_TRANSFERRED_FROM_EN \
	"registered (moved in)"
#define MSG_WL_EV_EXITED_EN \
	"left the register"
#define MSG_WL_EV_FOLLOWUP_EN \
	"follow-up"
#define MSG_WL_EV_ASSESSMENT_EN \
	"risk assessment"
#define MSG_WL_EV_ADMITTED_EN \
	"admitted to hospital"
#define MSG_WL_EV_DISCHARGED_EN \
	"discharged"
#define MSG_WL_EV_INCIDENT_EN \
	"incident"
#define MSG_WL_EV_SEARCH_EN \
	"lost-contact search"
#define MSG_WL_EV_SEARCH_FOUND_EN \
	"found"
#define MSG_WL_EV_AGREEMENT_EN \
	"agreement signed"
#define MSG_WL_EV_FREE_MED_EN \
	"free medication from"
#define MSG_WL_EV_FREE_MED_END_EN \
	"free medication to"
#define MSG_WL_EV_CARE_GROUP_EN \
	"care group"
#define MSG_WL_EV_TRANSFER_OUT_EN \
	"transfer out"
#define MSG_WL_EV_TRANSFER_ACCEPTED_EN \
	"transfer accepted"
#define MSG_WL_EV_TRANSFERRED_TO_EN \
	"registered elsewhere"
#define MSG_WL_EV_EXAM_EN \
	"health exam"
#define MSG_WL_DUE_IN_MONTH_EN \
	"due in %s: "
#define MSG_WL_N_PATIENTS_EN \
	"%zu patients"
#define MSG_WL_NOTE_COUNTED_FROM_ATTEMPT_EN \
	"; * lost contact or floating: counted from the last failed attempt"
#define MSG_WL_N_RECORDS_EN \
	"%zu records"
#define MSG_WL_SCOPE_WORD_EN \
	"scope"
#define MSG_WL_N_EVENTS_EN \
	"%zu events"
#define MSG_WL_NOTE_UNDATED_EN \
	"; * no date of its own: the day it was written"
#define MSG_NODE_EN \
	"node     %s\n"
#define MSG_NAME_SCOPE_EN \
	"name     %s (%s, scope %s)\n"
#define MSG_NETWORK_EN \
	"network  %s\n"
#define MSG_NOT_JOINED_EN \
	"(not joined)"
#define MSG_ENTRIES_EN \
	"entries  %lld\n"
#define MSG_DIGEST_EN \
	"digest   %s\n"
#define MSG_FEEDS_EN \
	"feeds    %zu\n"
#define MSG_RESTORED_FROM_BACKUP_MAY_BEHIND_EN \
	"RESTORED from a backup: may be behind its " \
	"own feeds until a peer confirms them\n"
#define MSG_WRITES_BLOCKED_PEER_SENT_SIGNED_EN \
	"WRITES BLOCKED: a peer sent signed " \
	"entries of this node's own feed " \
	"that are not applied yet\n"
#define MSG_WRITES_BLOCKED_RESTORED_FROM_BACKUP_EN \
	"WRITES BLOCKED: restored from a " \
	"backup; waiting for a peer to " \
	"confirm this node's own feeds " \
	"(ward unblock --help)\n"
#define MSG_WRITES_BLOCKED_WARDD_STOPPED_UNCLEANLY_EN \
	"WRITES BLOCKED: wardd stopped " \
	"uncleanly after writes no peer " \
	"confirmed; waiting for a peer to " \
	"confirm this node's own feeds\n"
#define MSG_PEERS_EN \
	"peers    %zu\n"
#define MSG_CONNECTED_EN \
	"connected"
#define MSG_DISCONNECTED_EN \
	"disconnected"
#define MSG_WRITES_UNBLOCKED_NODE_SIGNS_NOW_EN \
	"writes unblocked: this node signs now, " \
	"without a peer's confirmation\n"
#define MSG_WRITES_WERE_NOT_BLOCKED_EN \
	"writes were not blocked\n"
#define MSG_AUDIT_ENTRIES_FEEDS_FINDINGS_DIGEST_EN \
	"audit %s: %lld entries, %lld feeds, %zu findings, " \
	"digest %s\n"
#define MSG_FAILED_EN \
	"FAILED"
#define MSG_OK_EN \
	"ok"
#define MSG_BACKUP_ENTRIES_DIGEST_MADE_EN \
	"backup of %lld entries in %s (digest %.16s, made %s)\n"
#define MSG_WARD_WARNING_EN \
	"ward: warning: %s\n"
#define MSG_USAGE_WARD_TYPE_FIELD_VALUE_EN \
	"usage: ward %s TYPE [FIELD=VALUE...]"
#define MSG_NOT_FIELD_VALUE_EN \
	"'%s' is not FIELD=VALUE"
#define MSG_USAGE_WARD_ID_EN \
	"usage: ward %s ID"
#define MSG_USAGE_WARD_REPORT_FROM_DATE_EN \
	"usage: ward report --from DATE --to DATE " \
	"[--scope S] [--by village|township|month] " \
	"[--missing RATE] [--html FILE] [--json]"
#define MSG_USAGE_WARD_RETRACT_ID_REASON_EN \
	"usage: ward retract ID --reason TEXT"
#define MSG_USAGE_WARD_FILE_TYPE_TYPE_EN \
	"usage: ward %s --%s FILE --type TYPE"
#define MSG_NETWORK_CREATE_NEEDS_OUT_ROSTER_EN \
	"network create needs --out ROSTER"
#define MSG_USAGE_WARD_NETWORK_CREATE_MEMBER_EN \
	"usage: ward network create --member F.pub " \
	"... --out ROSTER | ward network join ROSTER"
#define MSG_USAGE_WARD_AUDIT_VERIFY_EN \
	"usage: ward audit verify"
#define MSG_USAGE_WARD_BACKUP_DIR_EN \
	"usage: ward backup DIR"
#define MSG_USAGE_WARD_ENTRIES_FILE_CSV_EN \
	"usage: ward %s --entries FILE | --csv FILE " \
	"--type TYPE | --jsonl FILE --type TYPE"
#define MSG_UNKNOWN_COMMAND_SEE_WARD_HELP_EN \
	"unknown command '%s' (see ward --help)"
#define MSG_CANNOT_READ_EN \
	"cannot read %s"
#define MSG_NOT_RECORD_ID_TYPE_HEX_EN \
	"'%s' is not a record id (TYPE-<hex> or at least 6 " \
	"hex digits)"
#define MSG_NO_RECORD_EN \
	"no record %s"
#define MSG_AMBIGUOUS_EN \
	"%s is ambiguous:%s"
#define MSG_FIELD_EN \
	" (field %s)"
#define MSG_NOT_EN \
	"%s: %s is a %s, not a %s"
#define MSG_TAKES_MOST_VALUES_ONCE_EN \
	"%s takes at most %d values at once"
#define MSG_NOT_SET_NOTHING_REMOVE_EN \
	"%s: '%s' is not in the set; " \
	"nothing to remove"
#define MSG_NODE_HAS_NOT_JOINED_NETWORK_EN \
	"this node has not joined a network: run ward " \
	"network create (first node) or ward network join " \
	"ROSTER"
#define MSG_UNKNOWN_RECORD_TYPE_TYPES_EN \
	"unknown record type '%s'; types: %s"
#define MSG_SCOPE_NOT_REGION_CODE_2_EN \
	"scope=%s is not a region code of 2, 4, 6, 9 or 12 " \
	"digits"
#define MSG_RECORDS_ABOUT_PATIENT_TAKE_PATIENT_EN \
	"records about a patient take the " \
	"patient's scope %s, not %s"
#define MSG_SAY_WHERE_RECORD_BELONGS_SCOPE_EN \
	"say where the record belongs: scope=CODE (a region " \
	"code)"
#define MSG_HAS_NO_FIELD_EN \
	"%s has no field '%s'"
#define MSG_FIELD_GIVEN_TWICE_EN \
	"field %s given twice"
#define MSG_NEEDS_EN \
	"%s needs %s=..."
#define MSG_HAS_NO_EFFECT_CANNOT_CHANGED_EN \
	"%s has no effect (%s): it cannot be changed"
#define MSG_HOLDS_ONE_VALUE_USE_VALUE_EN \
	"%s holds one value: use %s=VALUE"
#define MSG_NOTHING_CHANGE_GIVE_FIELD_VALUE_EN \
	"nothing to change: give FIELD=VALUE"
#define MSG_WARD_UNBLOCK_LETS_NODE_SIGN_EN \
	"ward unblock lets this node sign before any peer " \
	"has confirmed its own feeds; if a peer or another " \
	"copy of this node holds entries of them that this " \
	"node lacks, its next entries fork its feeds, and " \
	"the fork proof names this node to every peer. " \
	"Say --accept-fork-risk to go ahead"
#define MSG_CANNOT_WRITE_STORE_EN \
	"cannot write the store"
#define MSG_CANNOT_WRITE_EN \
	"cannot write %s"
#define MSG_WRITING_FAILED_EN \
	"writing %s failed"
#define MSG_NODE_HAS_NOT_JOINED_NETWORK_2_EN \
	"this node has not joined a network"
#define MSG_ENTRY_BYTE_NOT_MESSAGEPACK_NOTHING_EN \
	"%s: entry %zu (byte %zu) is not MessagePack; " \
	"nothing imported"
#define MSG_STORE_WRITE_FAILED_EN \
	"store write failed"
#define MSG_BACKUP_NEEDS_DIRECTORY_EN \
	"backup needs a directory"
#define MSG_UNKNOWN_REQUEST_EN \
	"unknown request '%s'"
#define MSG_LINE_NOT_UTF_8_FILE_EN \
	"%s: line %zu is not UTF-8; the file " \
	"looks like GB18030 (as spreadsheets " \
	"often save it). Convert it and " \
	"import the copy: iconv -f GB18030 -t " \
	"UTF-8 '%s' > converted.csv (or save " \
	"as \"CSV UTF-8\"). Nothing imported"
#define MSG_LINE_NOT_UTF_8_TEXT_EN \
	"%s: line %zu is not UTF-8 text; " \
	"save the file as UTF-8 and import " \
	"again. Nothing imported"
#define MSG_PATIENT_NO_HELD_PATIENTS_SEE_EN \
	"%s: patient_no %s is held by %zu patients " \
	"(see ward duplicates); give the id"
#define MSG_REG_MATCH_AMBIGUOUS_EN \
	"%s %s matches %zu %s records in this node's scope " \
	"(%s and %s); add an id column to say which"
#define MSG_REG_MATCH_MODE_BAD_EN \
	"--match %s: %s records match by %s"
#define MSG_REG_MATCH_SCOPE_FIXED_EN \
	"scope %s: the row matches %s, whose scope is %s " \
	"(a record's scope is fixed; leave the scope cell " \
	"empty or give the record's)"
#define MSG_REG_SAME_RECORD_LINE_EN \
	"the same record as line %zu (%s); a register holds " \
	"one row per record"
#define MSG_REG_ROW_NEEDS_PATIENT_EN \
	"a %s row needs its patient: a patient column (the " \
	"patient's id or patient_no)"
#define MSG_REG_ADD_NEEDS_PATIENT_EN \
	"a %s is about a patient: give patient=ID (the " \
	"patient's id or patient_no); it takes the patient's " \
	"scope"
#define MSG_REG_ROLE_MAY_NOT_WRITE_EN \
	"role %s may not write %s.%s; it is written by %s"
#define MSG_REG_ROLE_MAY_NOT_CREATE_EN \
	"role %s may not create %s records; they are created " \
	"by %s"
#define MSG_REG_JOINT_ONLY_EN \
	"role %s writes joint follow-ups only: give joint=yes " \
	"(a visit that was not joint is health's to record)"
#define MSG_REG_DATE_AHEAD_EN \
	"%s.%s %.*s is in the future (today is %s): record a " \
	"visit or event once it has happened; check the date"
#define MSG_REG_OUTSIDE_SCOPE_CHANGED_EN \
	"scope %s is outside this node's jurisdiction %s and " \
	"the row differs from the record there; another " \
	"office keeps it (--skip-bad skips such rows)"
#define MSG_REG_EXPORTED_EN \
	"exported %lld %s records to %s (mode 0600: only " \
	"this user may read it; it holds personal data)\n"
#define MSG_REG_EXPORT_RETRACTED_LEFT_OUT_EN \
	"%lld retracted records left out (--retracted " \
	"includes them)\n"
#define MSG_REG_NOTHING_TO_WRITE_EN \
	"%lld rows, all as stored: nothing written\n"
#define MSG_REG_MATCHED_EN \
	"%lld rows without an id matched a stored record " \
	"(by %s)\n"
#define MSG_CELLS_HEADER_HAS_EN \
	"%zu cells, the header has %zu"
#define MSG_NOT_RECORD_EN \
	"%s is %s, not a %s record"
#define MSG_WITHOUT_EFFECT_EN \
	"without effect"
#define MSG_SCOPE_RECORD_S_SCOPE_FIXED_EN \
	"scope %s: a record's scope is fixed (%s)"
#define MSG_SCOPE_NOT_REGION_CODE_EN \
	"scope %s is not a region code"
#define MSG_GIVEN_TWICE_EN \
	"%s given twice"
#define MSG_WRITE_ONCE_SET_ONLY_WHEN_EN \
	"%s is write-once: set only when " \
	"the record is created"
#define MSG_RECORDS_ABOUT_PATIENT_TAKE_PATIENT_2_EN \
	"records about a " \
	"patient take the " \
	"patient's scope %s, " \
	"not %s"
#define MSG_SAY_WHERE_RECORD_BELONGS_SCOPE_2_EN \
	"say where the record belongs: a scope column (or " \
	"a patient)"
#define MSG_SCOPE_OUTSIDE_NODE_S_JURISDICTION_EN \
	"scope %s is outside this node's jurisdiction %s"
#define MSG_NEEDS_2_EN \
	"%s needs %s"
#define MSG_ROW_TOO_LARGE_ONE_ENTRY_EN \
	"the row is too large for one entry"
#define MSG_WRITING_FAILED_2_EN \
	"writing failed: %s"
#define MSG_MORE_THAN_SCOPES_ONE_IMPORT_EN \
	"more than %d scopes in one import"
#define MSG_GIVE_TYPE_TYPE_RECORD_TYPE_EN \
	"give --type TYPE (a record type)"
#define MSG_NODE_NOT_NETWORK_S_ROSTER_EN \
	"this node is not in its network's roster"
#define MSG_EMPTY_NO_HEADER_EN \
	"%s is empty (no header)"
#define MSG_COLUMN_NO_FIELD_NOTHING_IMPORTED_EN \
	"%s: column '%s' is no field of %s; " \
	"nothing imported"
#define MSG_LINE_EN \
	"line %zu: %s"
#define MSG_SCOPE_NOT_REGION_CODE_3_EN \
	"--scope %s is not a region code"
#define MSG_RANGES_N_N_APPLY_NUMBERS_EN \
	"%s: ranges (>=, <=, N.., ..N) apply to numbers and " \
	"dates only"
#define MSG_UNKNOWN_RECORD_TYPE_EN \
	"unknown record type '%s'"
#define MSG_SCOPE_NOT_REGION_CODE_4_EN \
	"--scope %s is not a region code"
#define MSG_HAS_NO_SPECIAL_CATEGORIES_EN \
	"%s has no special categories"
#define MSG_FILTER_FIELD_VALUE_EN \
	"a filter is FIELD=VALUE"
#define MSG_NOT_DATE_YYYY_MM_DD_EN \
	"--on %s is not a date (YYYY-MM-DD)"
#define MSG_COULD_NOT_COMPUTE_LIST_EN \
	"could not compute the list"
#define MSG_REPORT_NEEDS_FROM_DATE_DATE_EN \
	"report needs --from DATE --to DATE (YYYY-MM-DD)"
#define MSG_FROM_AFTER_EN \
	"--from %s is after --to %s"
#define MSG_BAD_PERIOD_EN \
	"bad period"
#define MSG_ALREADY_HELD_SEE_WARD_DUPLICATES_EN \
	"%s %.*s is already held by %s " \
	"(see ward duplicates)"
#define MSG_REFUSED_NOTHING_WRITTEN_EXIT_DATE_EN \
	"refused, nothing written: " \
	"exit_date is required when status " \
	"is exited (give " \
	"exit_date=YYYY-MM-DD)"
#define MSG_SAY_WHY_REASON_TEXT_EN \
	"say why: --reason TEXT"
#define MSG_HAS_NO_EFFECT_NOTHING_RETRACT_EN \
	"%s has no effect (%s): nothing to retract"
#define MSG_ALREADY_RETRACTED_EN \
	"%s is already retracted"
#define MSG_CANNOT_OPEN_SCRATCH_STORE_EN \
	"cannot open a scratch store: %s"
#define MSG_BACKUP_NOT_ABSOLUTE_PATH_EN \
	"backup: '%s' is not an absolute path"
#define MSG_CANNOT_CREATE_EN \
	"cannot create %s: %s"
#define MSG_EXISTS_NOT_EMPTY_DIRECTORY_GIVE_EN \
	"%s exists and is not an empty directory: give a " \
	"new one for the backup"
#define MSG_CANNOT_MAKE_PRIVATE_EN \
	"cannot make %s private: %s"
#define MSG_BACKUP_CANNOT_COPY_EN \
	"backup: cannot copy %s to %s"
#define MSG_BACKUP_CANNOT_COPY_STORE_EN \
	"backup: cannot copy the store to %s: %s"
#define MSG_CANNOT_FIND_BESIDE_WARD_PROC_EN \
	"cannot find %s beside ward (/proc not mounted?)"
#define MSG_CANNOT_RUN_EN \
	"cannot run %s: %s"
#define MSG_NODE_S_DAEMON_DID_NOT_EN \
	"the node's daemon did not answer; is wardd " \
	"overloaded or stuck?"
#define MSG_CANNOT_READ_2_EN \
	"cannot read %s: %s"
#define MSG_NO_SUCH_FILE_EN \
	"no such file"
#define MSG_READ_ERROR_EN \
	"read error"
#define MSG_NOT_WARD_NODE_PUB_FILE_EN \
	"%s is not a ward node.pub file (made by ward init)"
#define MSG_REFUSED_CERTIFICATES_MUST_X_509_EN \
	"%s: refused: %s (certificates must be X.509 v3 " \
	"with CA:FALSE, named by the member's own key)"
#define MSG_REFUSED_TLS_CERTIFICATE_EXPIRED_MACHINE_EN \
	"%s: refused: its TLS certificate expired " \
	"on %s (by this machine's clock), and TLS " \
	"refuses expired certificates; that node " \
	"needs a new identity (ward init in a new " \
	"directory) and its new node.pub"
#define MSG_REFUSED_TLS_CERTIFICATE_VALID_ONLY_EN \
	"%s: refused: its TLS certificate is valid " \
	"only from %s (by this machine's clock); " \
	"check this machine's clock and that node's"
#define MSG_LIBSODIUM_FAILED_INITIALISE_EN \
	"libsodium failed to initialise"
#define MSG_ROLE_MUST_ONE_HEALTH_TOWNSHIP_EN \
	"--role must be one of health, township, police, " \
	"civil, disabled, legal, auditor"
#define MSG_NAME_MUST_NON_EMPTY_NAME_EN \
	"--name must be a non-empty name"
#define MSG_SCOPE_MUST_REGION_CODE_2_EN \
	"--scope must be a region code of 2, 4, 6, 9 or 12 " \
	"digits (e.g. 120116001)"
#define MSG_LISTEN_MUST_HOST_PORT_NOT_EN \
	"--listen must be HOST:PORT, not '%s'"
#define MSG_NOT_DIRECTORY_EN \
	"%s is not a directory"
#define MSG_MODE_CANNOT_MADE_PRIVATE_NODE_EN \
	"%s is mode %04o and cannot be made " \
	"private (%s): a node's directory must " \
	"be 0700; use a directory of your own"
#define MSG_ALREADY_INITIALISED_NODE_KEY_EXISTS_EN \
	"%s is already initialised (node.key " \
	"exists); its identity is never replaced"
#define MSG_CANNOT_CREATE_TLS_IDENTITY_EN \
	"cannot create the TLS identity in %s%s"
#define MSG_TLS_KEY_EXISTS_EN \
	": tls.key exists"
#define MSG_INITIALISED_NODE_ROLE_SCOPE_LISTEN_EN \
	"initialised %s: node %s, role %s, scope %s, listen %s; " \
	"hand %s/node.pub to whoever creates the network"
#define MSG_WAS_MODE_NOW_0700_ONLY_EN \
	" (%s was mode %04o: now 0700, only its owner " \
	"may enter it)"
#define MSG_CANNOT_JOIN_EN \
	"cannot join: %s"
#define MSG_NODE_NOT_MEMBER_ROSTER_EN \
	"this node is not a member of that roster"
#define MSG_JOINED_NETWORK_MEMBERS_EN \
	"joined network %s (%zu members)"
#define MSG_ROSTER_MEMBER_CERTIFICATE_REFUSED_EN \
	"roster member %s: certificate refused: %s"
#define MSG_WARNING_MEMBER_S_TLS_CERTIFICATE_EN \
	"; warning: member %s's TLS " \
	"certificate expired on %s: no " \
	"connection with it succeeds until " \
	"a roster change replaces it"
#define MSG_WARNING_MEMBER_S_TLS_CERTIFICATE_2_EN \
	"; warning: member %s's TLS " \
	"certificate is valid only from %s " \
	"(check the clocks)"
#define MSG_NOT_INITIALISED_RUN_WARD_INIT_EN \
	"%s is not initialised: run ward init --data %s " \
	"first"
#define MSG_EXISTS_REMOVE_CHOOSE_ANOTHER_OUT_EN \
	"it exists (remove it or choose another " \
	"--out)"
#define MSG_ROSTER_WRITTEN_HAND_EACH_MEMBER_EN \
	"; roster written to %s: hand it to each member " \
	"for ward network join"
#define MSG_CANNOT_READ_ROSTER_EN \
	"cannot read roster %s"
#define MSG_NOT_VALID_ROSTER_EN \
	"%s is not a valid roster: %s"
#define MSG_DATA_DIRECTORY_BELONGS_USER_UID_EN \
	"the data directory %s belongs to user %s (uid " \
	"%u), not to you: run %s as that user"
#define MSG_DATA_DIRECTORY_WRITABLE_OTHER_USERS_EN \
	"the data directory %s is writable by other " \
	"users (mode %04o): anyone could replace its " \
	"socket; run chmod 700 %s"
#define MSG_NOTHING_SENT_WARDD_DATA_DIRECTORY_EN \
	"nothing sent to wardd: the data directory %s " \
	"is writable by other users (mode %04o), so " \
	"anyone could have put its socket there; run " \
	"chmod 700 %s"
#define MSG_SOCKET_PATH_BYTES_OVER_BYTES_EN \
	"the socket path %s is %zu bytes, over the %zu " \
	"bytes a unix socket allows, and /proc is not " \
	"mounted to reach it another way; move the data " \
	"directory to a shorter path"
#define MSG_NOTHING_SENT_WARDD_BELONGS_USER_EN \
	"nothing sent to wardd: %s/%s belongs to user %s (uid " \
	"%u), not to you, so it may not be this node's wardd; " \
	"run ward as the user that runs wardd, or remove the " \
	"socket if no wardd runs there"
#define MSG_NO_NODE_RUN_WARD_INIT_EN \
	"no node at %s: run ward init --data %s first"
#define MSG_NOT_INITIALISED_RUN_WARD_INIT_2_EN \
	"%s is not initialised: run ward init " \
	"--data %s"
#define MSG_NODE_KEY_UNREADABLE_EN \
	"%s/node.key is unreadable"
#define MSG_STORE_USE_ANOTHER_PROCESS_RUNNING_EN \
	"the store in %s is in use by another " \
	"process (a running wardd?); try again"
#define MSG_CANNOT_OPEN_STORE_EN \
	"cannot open the store in %s: %s"
#define MSG_CANNOT_READ_LEDGER_EN \
	"cannot read the ledger in %s"
#define MSG_REFUSED_NOTHING_WRITTEN_NODE_WAS_EN \
	"refused, nothing written: " \
	"this node was restored from a backup, and peers may " \
	"hold entries of its own feeds that it lacks; start " \
	"wardd --data %s, which signs once a peer has " \
	"confirmed this node's feeds, and write through it (if " \
	"no peer can ever be reached: ward unblock " \
	"--accept-fork-risk)"
#define MSG_REFUSED_NOTHING_WRITTEN_WARDD_DID_EN \
	"refused, nothing written: " \
	"wardd did not stop cleanly on this store after it wrote " \
	"entries no peer had confirmed (or this is a copy of a " \
	"running node's store), so peers may hold more of this " \
	"node's own feed than it does; start wardd --data %s, which " \
	"signs once a peer has confirmed this node's feeds, and " \
	"write through it (if no peer can ever be reached: ward " \
	"unblock --accept-fork-risk)"
#define MSG_NOT_2_EN \
	"%s: %s is not %s"
#define MSG_TEXT_UTF_8_WITHOUT_CONTROL_EN \
	"text (UTF-8 without control characters)"
#define MSG_DATE_YYYY_MM_DD_YEARS_EN \
	"a date YYYY-MM-DD (years 1900-2100)"
#define MSG_ONE_EN \
	"one of "
#define MSG_WHOLE_NUMBER_MORE_EN \
	"a whole number, %lld or more"
#define MSG_WHOLE_NUMBER_FROM_EN \
	"a whole number from %lld to %lld"
#define MSG_IN_EN \
	" (in %s)"
#define MSG_ID_32_HEX_DIGITS_16_EN \
	"a %s id (%s-<32 hex digits>, 16 bytes)"
#define MSG_N18_CHARACTER_RESIDENT_ID_NUMBER_EN \
	"an 18-character resident ID number"
#define MSG_MEDICATION_LINE_DRUG_MORNING_MG_EN \
	"a medication line DRUG;MORNING_MG;NOON_MG;" \
	"EVENING_MG or DRUG;lai;EVERY_N_WEEKS;DOSE_MG"
#define MSG_REGION_CODE_2_4_6_EN \
	"a region code (2, 4, 6, 9 or 12 digits, trailing " \
	"zero groups dropped)"
#define MSG_NOT_3_EN \
	"%s: %s is not %s: %s"
#define MSG_NIL_NOT_SET_ELEMENT_EN \
	"%s: nil is not a set element"
#define MSG_EMPTY_STRING_NOT_VALUE_NIL_EN \
	"%s: an empty string is not a value " \
	"(nil clears a field)"
#define MSG_UNKNOWN_FIELD_KIND_EN \
	"%s: unknown field kind"
#define MSG_NAMES_RECORD_NOT_EN \
	"%s: %s names a %s record, not " \
	"a %s"
#define MSG_NO_ROOM_VALUE_EN \
	"%s: no room for the value"
#define MSG_EMPTY_ELEMENT_NOT_VALUE_EN \
	"%s: an empty element is not a value"
#define MSG_TEXT_BYTES_LONGER_THAN_ALLOWED_EN \
	"%s: the text is %zu bytes, longer " \
	"than the %u allowed"
#define MSG_REFUSED_NOTHING_WRITTEN_NODE_WAS_2_EN \
	"refused, nothing written: this node was " \
	"restored from a backup, and peers may hold " \
	"entries of its own feeds that it lacks; it " \
	"writes once a peer has confirmed its feeds " \
	"(see ward status). If no peer can ever be " \
	"reached, ward unblock --accept-fork-risk lets " \
	"it write now, at the risk of forking its feeds"
#define MSG_REFUSED_NOTHING_WRITTEN_WARDD_DID_2_EN \
	"refused, nothing written: wardd did not stop " \
	"cleanly after this node wrote entries no peer " \
	"had confirmed, so it waits for a peer to " \
	"confirm its own feeds (see ward status). If no " \
	"peer can ever be reached and no copy of this " \
	"node's data ran elsewhere, ward unblock " \
	"--accept-fork-risk lets it write now"
#define MSG_REFUSED_NOTHING_WRITTEN_PEER_HAS_EN \
	"refused, nothing written: a peer has sent " \
	"validly signed entries of this node's own feed " \
	"%s that this node does not hold yet; writes " \
	"resume once they are applied (see ward status)"
#define MSG_REFUSED_NOTHING_WRITTEN_STORE_COULD_EN \
	"refused, nothing written: the store " \
	"could not be written (disk full or " \
	"failing?); see wardd's log"
#define MSG_DETAIL_ID_17_DIGITS_EN \
	"it needs 17 digits and a check character 0-9 or X"
#define MSG_DETAIL_ID_BIRTH_DATE_EN \
	"its birth date (digits 7-14) is not a real date"
#define MSG_DETAIL_ID_CHECK_CHAR_EN \
	"its check character is wrong (a digit mistyped?)"
#define MSG_DETAIL_MED_4_PARTS_EN \
	"it needs 4 parts separated by ';'"
#define MSG_DETAIL_MED_DRUG_EMPTY_EN \
	"the drug name is empty"
#define MSG_DETAIL_MED_PART_SPACES_EN \
	"a part has spaces around it"
#define MSG_DETAIL_MED_DRUG_BAR_EN \
	"the drug name contains '|'"
#define MSG_DETAIL_MED_DRUG_FULLWIDTH_EN \
	"the drug name contains '；'"
#define MSG_DETAIL_MED_NUMBERS_CANONICAL_EN \
	"doses and weeks are numbers like 0, 2, 12.5 or 0.25 (at most 2 decimals, no leading or trailing zeros)"
#define MSG_DETAIL_MED_LAI_EN \
	"a long-acting injection needs an interval and a dose above 0"
#define MSG_DETAIL_TEXT_TOO_LONG_EN \
	"it is longer than 4096 bytes"
#define MSG_DETAIL_TEXT_UTF8_EN \
	"it is not valid UTF-8"
#define MSG_DETAIL_TEXT_CONTROL_EN \
	"it contains a control character"
#define MSG_DETAIL_MED_NUMBERS_EN \
	"doses and weeks are numbers like 0, 2, 12.5 or 0.25"
#define MSG_DETAIL_MED_MISSING_EN \
	"a dose or an interval is missing"
#define MSG_DETAIL_MED_INT_DIGITS_EN \
	"a number has more than 5 digits before the point"
#define MSG_DETAIL_MED_DECIMALS_EN \
	"a number has more than 2 decimals"
#define MSG_F_UNKNOWN_RECORD_TYPE_EN \
	"unknown record type"
#define MSG_F_ROLE_MAY_NOT_CREATE_EN \
	"role %s may not create %s records (they are created by: %s)"
#define MSG_F_NO_SUCH_RECORD_EN \
	"no such record"
#define MSG_F_RECORD_UNREADABLE_EN \
	"record metadata is unreadable"
#define MSG_F_CREATE_NO_EFFECT_EN \
	"the record's create has no effect"
#define MSG_F_OP_SCOPE_EN \
	"op in scope %s on a record of scope %s"
#define MSG_F_NO_FIELD_EN \
	"%s has no field %s"
#define MSG_F_SET_FIELD_TAKES_EN \
	"%s: a set field takes add and remove"
#define MSG_F_SINGLE_FIELD_TAKES_EN \
	"%s: a single-value field takes set"
#define MSG_F_WRITE_ONCE_EN \
	"%s is write-once: set only when the record is created"
#define MSG_F_ROLE_MAY_NOT_WRITE_EN \
	"role %s may not write %s.%s (it is written by: %s)"
#define MSG_F_CELL_UNREADABLE_EN \
	"stored cell is unreadable"
#define MSG_F_OUTSIDE_JURISDICTION_EN \
	"scope %s is outside the author's jurisdiction %s"
#define MSG_F_PAST_REVOCATION_EN \
	"entry past its author's revocation bound"
#define MSG_F_TEXT_EN \
	"%s"
#define MSG_W_NOT_JOINED_EN \
	"this node has not joined a network"
#define MSG_W_NOT_REGION_EN \
	"'%s' is not a region code"
#define MSG_W_OPS_COUNT_EN \
	"a write holds 1 to %u changes"
#define MSG_W_CLOCK_BEHIND_EN \
	"the clock is behind this node's last write; try again"
#define MSG_W_TOO_LARGE_EN \
	"the change is larger than 64 KiB"
#define MSG_W_STORE_FAILED_EN \
	"could not write to the store"
#define MSG_W_REJECTED_EN \
	"rejected: %s"
#define MSG_NO_ROLE_EN \
	"no role"
#define MSG_REFUSED_TEXT_EN \
	"refused, nothing written: %s"
#define MSG_W_OUTSIDE_JURISDICTION_EN \
	"scope %s is outside the author's jurisdiction %s"
#define MSG_OP_CREATE_EN \
	"create"
#define MSG_OP_SET_EN \
	"set"
#define MSG_OP_ADD_EN \
	"add"
#define MSG_OP_REMOVE_EN \
	"remove"
#define MSG_STATUS_FEED_EN \
	"  %.16s  %-12s seq %lld\n"
#define MSG_STATUS_INSECURE_EN \
	"INSECURE plain tcp between nodes: no TLS, peers not authenticated\n"
#define MSG_STATUS_PEER_EN \
	"  %.16s  %-20s %-21s %-12s lag %s  seen %s\n"
#define MSG_NEVER_EN \
	"never"
#define MSG_AUDIT_FAIL_LINE_EN \
	"FAIL %s\n"
#define MSG_AUDIT_FINDING_LINE_EN \
	"finding  feed %.16s/%s seq %lld op %lld: %s\n"
#define MSG_EXPORTED_ENTRIES_EN \
	"exported %lld entries to %s\n"
#define MSG_REJECTED_LINE_EN \
	"rejected %s\n"
#define MSG_IMPORTED_ENTRIES_EN \
	"imported %lld of %lld entries (%lld already held, %zu rejected)\n"
#define MSG_AUDIT_MALFORMED_EN \
	"malformed entry (%s)"
#define MSG_AUDIT_BAD_SIGNATURE_EN \
	"bad signature"
#define MSG_AUDIT_WRONG_PLACE_EN \
	"entry stored under another feed or seq"
#define MSG_AUDIT_SEQ_GAP_EN \
	"seq gap"
#define MSG_AUDIT_PREV_EN \
	"prev does not match the previous entry"
#define MSG_AUDIT_HLC_EN \
	"hlc not increasing"
#define MSG_AUDIT_ROSTER_DECREASING_EN \
	"roster version decreasing"
#define MSG_AUDIT_FEED_FAILURE_EN \
	"feed %s/%s seq %llu: %s"
#define MSG_AUDIT_STATE_DIFFERS_EN \
	"stored state differs from the state recomputed from the log in %zu keys"
#define MSG_AUDIT_DIGEST_DIFFERS_EN \
	"stored digest differs from the digest recomputed from the log"
#define MSG_AUDIT_RECOMPUTE_EN \
	"recompute: entry %zu: %s"
#define MSG_HELP_TYPE_HEAD_EN \
	"%s (%s): created by %s\n"
#define MSG_HELP_KIND_TEXT_EN \
	"text"
#define MSG_HELP_KIND_DATE_EN \
	"date YYYY-MM-DD"
#define MSG_HELP_KIND_INT_EN \
	"whole number %lld..%lld"
#define MSG_HELP_KIND_INT_MIN_EN \
	"whole number from %lld"
#define MSG_HELP_KIND_REF_EN \
	"id of a %s record"
#define MSG_HELP_KIND_ID_NUMBER_EN \
	"18-character resident ID number"
#define MSG_HELP_KIND_MED_LINE_EN \
	"DRUG;MORNING;NOON;EVENING (mg) or DRUG;lai;WEEKS;MG"
#define MSG_HELP_KIND_SCOPE_EN \
	"region code"
#define MSG_HELP_UNIT_EN \
	" (in %s)"
#define MSG_HELP_FLAG_REQUIRED_EN \
	"required"
#define MSG_HELP_FLAG_WRITE_ONCE_EN \
	"only when created"
#define MSG_HELP_FLAG_SET_EN \
	"several values: FIELD+=V, FIELD-=V"
#define MSG_HELP_TYPE_FOOT_EN \
	"\nValues may be typed as codes or as their Chinese labels. An empty value clears a field.\nFilters for ward list: FIELD=VALUE, FIELD=N.. (at least), FIELD=..N (at most), FIELD=A..B, FIELD= (unset); these need no shell quoting.\n"
#define MSG_HELP_TYPES_EN \
	"Record types (ward help TYPE, or ward add TYPE --help, lists a type's fields):\n"
#define MSG_HELP_UNKNOWN_TOPIC_EN \
	"no help for '%s': give a command or a record type (ward help lists them)"
#define MSG_HELP_COL_FIELD_EN \
	"FIELD"
#define MSG_HELP_COL_LABEL_EN \
	"LABEL"
#define MSG_HELP_COL_WRITERS_EN \
	"WRITTEN BY"
#define MSG_HELP_COL_VALUES_EN \
	"VALUES"

#define MSG_REPORT_BY_VALUES_EN \
	"--by %s: give --by village, --by township or --by month"
#define MSG_REPORT_MISSING_KEYS_EN \
	"--missing %s: give the key of a rate with a gap to list: %s"
#define MSG_REPORT_HTML_NEEDS_FILE_EN \
	"--html needs a file name"
#define MSG_REPORT_BY_NEEDS_LARGER_SCOPE_EN \
	"--by %s breaks down a larger scope than --scope %s; give a larger --scope, or no --by"
#define MSG_REPORT_TOO_MANY_MONTHS_EN \
	"%s to %s is more than %d months; give a shorter period for a monthly trend"
#define MSG_CANNOT_WRITE_WHY_EN \
	"cannot write %s: %s"
#define MSG_REPORT_OPTIONS_ONLY_EN \
	"--by, --missing and --html are options of ward report, not of ward %s"
#define MSG_REPORT_PAGE_WRITTEN_EN \
	"\nreport page written to %s (readable by you only); open it in a browser (file://%s) or print it on A4\n"
#define MSG_SHOW_CONFLICT_EN \
	"  %-20s CONFLICT: %zu live values:\n"
#define MSG_USAGE_HEAD_EN \
	"usage: ward COMMAND [ARGS] [--data DIR] [--json]\n" \
	"\n"
#define MSG_USAGE_SETUP_EN \
	"Setting up a node:\n" \
	"  ward init --data DIR --role ROLE --name NAME --scope CODE [--listen HOST:PORT]\n" \
	"      ROLE: health, township, police, civil, disabled, legal, auditor\n" \
	"  ward network create --data DIR --member FILE.pub ... --out ROSTER\n" \
	"  ward network join --data DIR ROSTER\n" \
	"\n"
#define MSG_USAGE_RECORDS_EN \
	"Records:\n" \
	"  ward add TYPE [scope=CODE] FIELD=VALUE...   create a record, print its id\n" \
	"  ward set ID FIELD=VALUE|FIELD+=V|FIELD-=V... change fields (empty value clears)\n" \
	"  ward show ID [--timeline]                    fields, writers, conflicts;\n" \
	"                                               a patient's dated events\n" \
	"  ward list TYPE [FILTER...] [--scope S] [--special VALUE] [--csv FILE]\n" \
	"      FILTER: FIELD=VALUE, FIELD=N.. (at least N), FIELD=..N, FIELD=A..B,\n" \
	"      FIELD>=N, FIELD<=N. Quote the last two ('risk>=3'): the shell reads\n" \
	"      >= as a redirection and makes a file '=3'; risk=3.. needs no quotes\n" \
	"      list patient care_group=   patients without a care group (TYPE=yes: with)\n" \
	"  ward history ID                              every op on a record\n" \
	"  ward retract ID --reason TEXT                the record counts for nothing\n" \
	"  ward duplicates                              patients sharing id_number/patient_no\n" \
	"  ward help TYPE                               a record type's fields and values\n" \
	"\n"
#define MSG_USAGE_WORK_EN \
	"Follow-up work and rates:\n" \
	"  ward due [--scope S] [--on DATE | --month YYYY-MM] [--csv FILE]\n" \
	"                                               patients due or overdue, most overdue\n" \
	"                                               first; --month: due that month, by date\n" \
	"  ward joint-missing [--scope S] [--on DATE] [--csv FILE]\n" \
	"                                               risk >= 3 without a joint visit since\n" \
	"  (--csv FILE writes the list for printing: UTF-8 with a BOM, mode 0600)\n" \
	"  ward report --from DATE --to DATE [--scope S]  the kpi-v1 rates\n" \
	"      [--by village|township|month]  the same, area by area or month by month\n" \
	"      [--missing RATE]  who is behind a rate's gap (e.g. regular_management)\n" \
	"      [--html FILE]     the report as a page to open in a browser or print\n" \
	"\n"
#define MSG_USAGE_REGISTERS_EN \
	"Registers (spreadsheets):\n" \
	"  ward import --csv FILE --type TYPE [--skip-bad] [--dry-run]   (or --jsonl FILE)\n" \
	"      [--match patient_no|id_number|none]: a row without an id updates the\n" \
	"      patient with its patient_no, else id_number (guardians: patient and\n" \
	"      id_number or name; care groups: patient); importing twice adds nothing\n" \
	"  ward export --csv FILE --type TYPE [--scope S] [--labels]     (or --jsonl FILE)\n" \
	"      [--no-bom] [--retracted]: CSV starts with a UTF-8 BOM for spreadsheets;\n" \
	"      --labels writes Chinese headers and values; files are 0600\n" \
	"  ward access-log                              who read or exported what (this node)\n" \
	"\n"
#define MSG_USAGE_LEDGER_EN \
	"The ledger:\n" \
	"  ward status                                  node, network, feeds, digest,\n" \
	"                                               peers and their lag, fork and\n" \
	"                                               divergence proofs\n" \
	"  ward audit verify                            check every entry, recompute state\n" \
	"  ward export --entries FILE                   signed entries, as stored\n" \
	"  ward import --entries FILE                   verify and apply such a file\n" \
	"  ward backup DIR                              a consistent copy of this node\n" \
	"      (keys, config, store) in DIR (new or empty; made 0700), taken\n" \
	"      while the node runs or not. A node started from it knows it was\n" \
	"      restored: it writes only once a peer has confirmed its own feeds.\n" \
	"      Copy no data directory by hand: a copy that writes behind its\n" \
	"      own feed forks it, and every node will hold the proof.\n" \
	"  ward unblock --accept-fork-risk              sign before a peer confirms this\n" \
	"                                               node's own feeds (after a restore\n" \
	"                                               or an unclean stop, with no peer)\n" \
	"\n"
#define MSG_USAGE_FOOT_EN \
	"--data may be omitted when WARD_DATA is set. Set fields take values\n" \
	"separated by '|'. Ids: TYPE-<32 hex> or a unique prefix of >= 6 hex.\n" \
	"Exit codes: 0 ok, 1 check failed, 2 usage or bad input, 3 not found or\n" \
	"ambiguous, 4 not initialised or not joined, 5 busy, 6 I/O error.\n"
#define MSG_SHOW_NO_EFFECT_EN \
	"  NO EFFECT: %s\n"
#define MSG_VALUE_CLEARED_EN \
	"(cleared)"
#define MSG_VALUE_YES_EN \
	"yes"
#define MSG_VALUE_NO_EN \
	"no"

/* issue 10: roster versions (node/api/api_roster.c, cli/roster.c) */
#define MSG_ROSTER_USAGE_EN \
	"usage: ward roster propose CHANGE... [--note TEXT] | pending [--json] | sign ID | show [--version N] [--json] | log | export --out FILE"
#define MSG_ROSTER_USAGE_PROPOSE_EN \
	"usage: ward roster propose CHANGE... [--note TEXT]; CHANGE is one of: add FILE.pub | remove NODE | set NODE address=HOST:PORT|cert=FILE.pem|key=FILE.pub|role=ROLE|scope=CODE | revoke NODE [--from SCOPE:SEQ]... | admins add NODE | admins remove NODE | threshold K | schema VERSION"
#define MSG_ROSTER_NO_SUCH_NODE_EN \
	"no member '%s' in the roster: name a member by its name, its key in hex or a unique hex prefix of its key (see ward roster show)"
#define MSG_ROSTER_AMBIGUOUS_NODE_EN \
	"'%s' names more than one member: give more of its key"
#define MSG_ROSTER_ALREADY_MEMBER_EN \
	"%s is already a member (as %s)"
#define MSG_ROSTER_REMOVE_ADMIN_FIRST_EN \
	"%s is an admin: propose 'admins remove %s' before removing it"
#define MSG_ROSTER_LAST_ADMIN_EN \
	"removing %s would leave no admin: add another admin first"
#define MSG_ROSTER_ALREADY_ADMIN_EN \
	"%s is already an admin"
#define MSG_ROSTER_NOT_ADMIN_EN \
	"%s is not an admin"
#define MSG_ROSTER_BAD_THRESHOLD_EN \
	"threshold %llu is not valid with %zu admins: it must be at least 1, at most the number of admins and above half of them (at least %zu)"
#define MSG_ROSTER_BAD_NUMBER_EN \
	"'%s' is not a number"
#define MSG_ROSTER_SCHEMA_UNKNOWN_EN \
	"schema version %llu is not one this build knows (it knows up to %d): upgrade ward first"
#define MSG_ROSTER_BAD_SET_EN \
	"set takes address=HOST:PORT, cert=FILE.pem, key=FILE.pub, role=ROLE or scope=CODE, not '%s'"
#define MSG_ROSTER_BAD_ROLE_EN \
	"'%s' is not a role: health, township, police, civil, disabled, legal, auditor"
#define MSG_ROSTER_BAD_SCOPE_EN \
	"'%s' is not a region code"
#define MSG_ROSTER_BAD_FROM_EN \
	"--from takes SCOPE:SEQ, e.g. 120116001:42, not '%s'"
#define MSG_ROSTER_NO_HEADS_EN \
	"%s has written no entry this node holds: give its bound with --from SCOPE:SEQ"
#define MSG_ROSTER_BAD_CHANGE_EN \
	"'%s' is not a change: add, remove, set, revoke, admins, threshold or schema (see ward roster help)"
#define MSG_ROSTER_NO_CHANGE_EN \
	"the proposal changes nothing"
#define MSG_ROSTER_NOTE_TOO_LONG_EN \
	"the note is longer than 1 KiB"
#define MSG_ROSTER_REFUSED_EN \
	"proposal refused, nothing changed: %s"
#define MSG_ROSTER_CANNOT_READ_CERT_EN \
	"cannot read the certificate %s"
#define MSG_ROSTER_CERT_REFUSED_EN \
	"certificate %s refused: %s"
#define MSG_ROSTER_KEY_TAKEN_EN \
	"the key in %s is already a member's"
#define MSG_ROSTER_NO_PROPOSAL_EN \
	"no proposal '%s' is held here (see ward roster pending)"
#define MSG_ROSTER_AMBIGUOUS_PROPOSAL_EN \
	"'%s' names more than one proposal: give more of its id"
#define MSG_ROSTER_NOT_ADMIN_SIGN_EN \
	"this node is not an admin of roster version %llu: only its admins sign proposals"
#define MSG_ROSTER_SIGN_REFUSED_EN \
	"not signed, nothing changed: %s"
#define MSG_ROSTER_NO_VERSION_EN \
	"no roster version %lld is held (this node holds versions 1 to %llu)"
#define MSG_ROSTER_CANNOT_WRITE_EN \
	"cannot write %s: %s"
#define MSG_ROSTER_PROPOSED_EN \
	"proposal for roster version %lld: %lld of %lld signatures%s\n"
#define MSG_ROSTER_NOW_IN_FORCE_EN \
	"; now in force"
#define MSG_ROSTER_SIGNED_EN \
	"signed %.16s; roster version in force: %lld%s\n"
#define MSG_ROSTER_EXPORTED_EN \
	"roster chain (versions 1 to %lld) written to %s\n"
#define MSG_ROSTER_NO_PENDING_EN \
	"no proposal pending\n"
#define MSG_ROSTER_STATUS_EN \
	"Roster:  version %lld, %lld proposal(s) pending\n"
#define MSG_ROSTER_REVOKE_NEEDED_EN \
	"REVOKE NEEDED: %s signed two entries at %s seq %lld. Propose:\n    %s\n  (then each admin: ward roster sign ID)\n"
#define MSG_ROSTER_ADMIN_FORKED_EN \
	"ADMIN FORK: admin %s signed two proposals for roster version %lld\n"
#define MSG_ROSTER_NEEDS_VALUE_EN \
	"%s needs a value"
#define MSG_ROSTER_CANNOT_READ_ENTRIES_EN \
	"cannot read the entries file %s"
#define MSG_ROSTER_AUDIT_OFFLINE_USAGE_EN \
	"usage: ward audit verify --roster CHAIN --entries FILE (no node needed), or ward audit verify --data DIR"
#define MSG_ROSTER_EXPORTED_WITH_EN \
	"roster chain (versions 1 to %lld) written to %s\n"
#define MSG_W_NOT_MEMBER_NOW_EN \
	"this node is not a member of roster version %llu (removed, or its key replaced): it may not write"
#define MSG_W_SCHEMA_UNKNOWN_EN \
	"the roster in force uses schema version %llu, which this build does not know: upgrade ward"
#define MSG_W_REJUDGING_EN \
	"the store failed while entries were judged again under a new roster version; try again"
#define MSG_USAGE_ROSTER_EN \
	"Changing the network (roster versions signed by k of n admins):\n  ward roster propose CHANGE... | pending | sign ID | show | log | export\n                                               (ward roster help)\n  ward export --entries FILE --with-roster     and the roster chain in FILE.roster\n  ward audit verify --roster CHAIN --entries FILE   the auditor's check, no node\n\n"
#define MSG_ROSTER_PENDING_LINE_EN \
	"%s  version %lld  by %s  signatures %lld of %lld\n"
#define MSG_ROSTER_NOTE_LINE_EN \
	"  note: %s\n"
#define MSG_ROSTER_CHANGES_LABEL_EN \
	"  changes: "
#define MSG_ROSTER_SIGNED_BY_LABEL_EN \
	"  signed by: "
#define MSG_ROSTER_SHOW_HEAD_EN \
	"roster version %lld  id %.16s  threshold %lld  schema %lld\n"
#define MSG_ROSTER_ADMIN_MARK_EN \
	" admin"
#define MSG_ROSTER_REVOKED_AFTER_EN \
	" revoked in %s after seq %lld"
#define MSG_ROSTER_LOG_HEAD_EN \
	"version %lld  %.16s\n"
#define MSG_ROSTER_AUDIT_SUMMARY_EN \
	"audit %s: %lld entries under roster version %lld, %zu findings, digest %s\n"
#define MSG_ROSTER_AUDIT_OK_EN \
	"ok"
#define MSG_ROSTER_AUDIT_FAILED_EN \
	"FAILED"
#define MSG_ROSTER_HELP_EN \
	"Changing the network (roster versions signed by k of n admins):\n  ward roster propose CHANGE... [--note TEXT]  print the proposal's id\n      CHANGE: add FILE.pub | remove NODE | set NODE address=HOST:PORT\n      | set NODE cert=FILE.pem | set NODE key=FILE.pub | set NODE role=ROLE\n      | set NODE scope=CODE | revoke NODE [--from SCOPE:SEQ]...\n      | admins add NODE | admins remove NODE | threshold K | schema VERSION\n      NODE: a member's name, its key in hex, or a unique hex prefix\n  ward roster pending [--json]                 proposals held, signatures\n  ward roster sign ID                          add this admin's signature\n  ward roster show [--version N] [--json]      the roster (in force, or N)\n  ward roster log [--json]                     every version: signers, changes\n  ward roster export --out FILE                the chain, for network join\n"
#define MSG_RATE_EN \
	"RATE"
#define MSG_NUM_EN \
	"NUM"
#define MSG_DENOM_EN \
	"DENOM"
#define MSG_VALUE_EN \
	"VALUE"
#define MSG_TARGET_EN \
	"TARGET"
#define MSG_TIME_EN \
	"TIME"
#define MSG_USER_EN \
	"USER"
#define MSG_ACTION_EN \
	"ACTION"
#define MSG_COUNT_EN \
	"COUNT"
#define MSG_WHAT_EN \
	"WHAT"
#define MSG_CONFLICT_SHOWN_VALUE_EXPORTED_EN \
	"conflict (shown value exported):"
#define MSG_RETRACTED_EN \
	"retracted"
#define MSG_RELATED_EN \
	"related:"
#define MSG_ACCEPTED_EN \
	"  accepted"
#define MSG_MONTH_EN \
	"MONTH"
#define MSG_AREA_EN \
	"AREA"
#define MSG_NAME_EN \
	"NAME"
#define MSG_REG_EN \
	"REG"
#define MSG_LEVEL_EN \
	"(this level)"
#define MSG_PATIENT_NO_EN \
	"PATIENT NO"
#define MSG_NAME_2_EN \
	"NAME"
#define MSG_SCOPE_EN \
	"SCOPE"
#define MSG_PHONE_EN \
	"PHONE"
#define MSG_ID_EN \
	"ID"
#define MSG_RT_MANAGED_EN \
	"MANAGED"
#define MSG_RT_REGULAR_EN \
	"REGULAR"
#define MSG_RT_FACE2FACE_EN \
	"FACE2FACE"
#define MSG_RT_REGMED_EN \
	"REG.MED"
#define MSG_GAP_MANAGEMENT_EN \
	"not managed"
#define MSG_GAP_REGULAR_MANAGEMENT_EN \
	"not regularly managed"
#define MSG_GAP_FACE_TO_FACE_EN \
	"not seen face to face"
#define MSG_GAP_MEDICATION_EN \
	"not taking medication"
#define MSG_GAP_REGULAR_MEDICATION_EN \
	"not regularly medicated"
#define MSG_GAP_STABILITY_EN \
	"managed, not stable"
#define MSG_GAP_FREE_MED_SHARE_EN \
	"managed, no free medication"
#define MSG_GAP_FREE_MED_CONSENT_EN \
	"free medication, no consent signed"
#define MSG_T_REPORT_HEAD_EN \
	"scope %s  period %s to %s  definition %s  population %s\n"
#define MSG_T_ALL_EN \
	"all"
#define MSG_T_DUP_GROUP_EN \
	"%s %s: %zu patients\n"
#define MSG_T_DUP_COUNT_EN \
	"%zu groups of possible duplicates\n"
#define MSG_T_BAD_EN \
	"bad"
#define MSG_T_MORE_BAD_EN \
	"more bad rows"
#define MSG_T_DRY_OK_EN \
	"checked %lld rows: all good (dry run, nothing written)\n"
#define MSG_T_SKIP_BAD_HINT_EN \
	" (--skip-bad imports the good rows)"
#define MSG_T_NOTHING_WRITTEN_EN \
	"checked %lld rows: %lld bad; nothing written%s\n"
#define MSG_T_IMPORTED_EN \
	"%lld rows: %lld created, %lld updated, %lld unchanged, %lld skipped as bad (%lld entries, %s s)\n"
#define MSG_T_MISSING_HEAD_EN \
	"\n%s: %zu patients\n"
#define MSG_RATE_PREVALENCE_EN \
	"reported prevalence"
#define MSG_RATE_MANAGEMENT_EN \
	"management rate"
#define MSG_RATE_REGULAR_MANAGEMENT_EN \
	"regular management rate"
#define MSG_RATE_FACE_TO_FACE_EN \
	"face-to-face rate"
#define MSG_RATE_MEDICATION_EN \
	"medication rate"
#define MSG_RATE_REGULAR_MEDICATION_EN \
	"regular medication rate"
#define MSG_RATE_STABILITY_EN \
	"stability rate"
#define MSG_RATE_FREE_MED_SHARE_EN \
	"free medication share"
#define MSG_RATE_FREE_MED_CONSENT_EN \
	"free-medication consent"
#define MSG_RATE_INCIDENT_EN \
	"incident rate"
#define MSG_REL_GUARDIAN_EN \
	"guardian"
#define MSG_REL_LAST_VISIT_EN \
	"last visit"
#define MSG_REL_LAST_RISK_EN \
	"last risk"
#define MSG_REL_OPEN_SEARCH_EN \
	"open search"
#define MSG_REL_AGREEMENT_EN \
	"agreement"
#define MSG_REL_CARE_GROUP_EN \
	"care group"
#define MSG_REL_HOSPITAL_STAY_EN \
	"hospital stay"
#define MSG_REL_FREE_MED_EN \
	"free medication"
#define MSG_REL_INCIDENT_EN \
	"incident"
#define MSG_REL_TRANSFER_OUT_EN \
	"transfer out"
#define MSG_REL_MOVED_FROM_EN \
	"moved from"
#define MSG_REL_MOVED_TO_EN \
	"moved to"
#define MSG_T_RECORD_HEAD_EN \
	"%s  (%s, scope %s)\n"
#define MSG_ALLOWED_ROLES_EN \
	"role codes in byte order joined by ','"
#define MSG_ALLOWED_KEY_ID_EN \
	"a 16-byte key id"
#define MSG_ALLOWED_ENVELOPE_EN \
	"a key envelope [recipient, box]"
#define MSG_F_NOT_SEALED_EN \
	"%s is a sealed field: a plaintext value has no effect"
#define MSG_F_SEALED_IN_PLAIN_EN \
	"%s is not a sealed field: a sealed value has no effect"
#define MSG_F_NO_KEY_EN \
	"%s: no key of its readers' group (%s, scope %s) for this sealed value has arrived"
#define MSG_F_KEY_NOT_IN_GROUP_EN \
	"a key record's writer (role %s) must be one of its roles %s"
#define MSG_F_KEY_SET_ONCE_EN \
	"%s of a key record is set once"
#define MSG_F_KEY_NEEDS_ROLES_EN \
	"a key record's key_id follows its roles, in the entry that creates it"
#define MSG_F_ENVELOPE_RECIPIENT_EN \
	"an envelope for %s, who is no member of the key's group"
#define MSG_W_SEAL_FAILED_EN \
	"a value could not be sealed (ward's fault: please report it)"
#define MSG_CANNOT_READ_FIELD_HERE_EN \
	"cannot read this field here: %s is sealed to roles or a scope this node is not in (DOMAIN.md section 5)"
#define MSG_SEALED_EN \
	"sealed"
#define MSG_UNREADABLE_EN \
	"unreadable"
#define MSG_STATUS_KEYS_EN \
	"group keys for sealed fields (%zu groups):\n"
#define MSG_STATUS_KEY_GROUP_EN \
	"  %s @ %s: %lld held, %lld missing%s\n"
#define MSG_STATUS_KEY_NOT_CURRENT_EN \
	" (none held for the roster in force: the next write makes one)"
#define MSG_F_SEALED_UNREADABLE_EN \
	"%s of record %s: a sealed value that fails to open or to check"
#define MSG_F_ENVELOPE_WRONG_KEY_EN \
	"an envelope for this node whose key does not match its key record's key_id (ignored)"
#define MSG_AUDIT_SEALED_EN \
	"sealed values: %llu opened here, %llu not this node's to read, %llu unreadable\n"
#define MSG_CANNOT_OPEN_MEMORY_LEDGER_EN \
	"cannot open a ledger in memory"

#define MSG_ENTRY_MALFORMED_EN \
	"malformed entry"
#define MSG_ENTRY_NOT_PAIR_EN \
	"entry is not [body, sig]"
#define MSG_ENTRY_TRAILING_EN \
	"trailing bytes after entry"
#define MSG_ENTRY_BODY_TOO_LARGE_EN \
	"body larger than 64 KiB"
#define MSG_ENTRY_BODY_ARITY_EN \
	"body is not an array of 8"
#define MSG_ENTRY_VERSION_EN \
	"unknown entry format version"
#define MSG_ENTRY_AUTHOR_EN \
	"bad author"
#define MSG_ENTRY_SCOPE_EN \
	"bad scope"
#define MSG_ENTRY_SEQ_EN \
	"bad seq"
#define MSG_ENTRY_PREV_EN \
	"bad prev"
#define MSG_ENTRY_HLC_EN \
	"bad hlc or roster version"
#define MSG_ENTRY_OPS_EN \
	"bad ops array"
#define MSG_ENTRY_OP_EN \
	"malformed op"
#define MSG_ENTRY_CREATE_ID_EN \
	"entity id of a create not derived from its dot"
#define MSG_ENTRY_TRAILING_BODY_EN \
	"trailing bytes after body"
#define MSG_I_NOT_JOINED_EN \
	"this node has not joined a network"
#define MSG_I_REJUDGE_PENDING_EN \
	"the store failed while entries were judged again under a new roster version; retrying"
#define MSG_I_ROSTER_ZERO_EN \
	"roster version 0"
#define MSG_I_ROSTER_UNKNOWN_EN \
	"names a roster version not yet known"
#define MSG_I_SCHEMA_UNKNOWN_EN \
	"names a roster whose schema version this build does not know (upgrade ward)"
#define MSG_I_UNKNOWN_AUTHOR_EN \
	"unknown author"
#define MSG_I_BAD_SIGNATURE_EN \
	"bad signature"
#define MSG_I_HEAD_UNREADABLE_EN \
	"feed head unreadable"
#define MSG_I_FEED_CAP_EN \
	"its author already has the most feeds an author may have (1024)"
#define MSG_I_FORK_EN \
	"fork: a different entry holds this seq"
#define MSG_I_BELOW_HEAD_MISSING_EN \
	"entry below its feed's head is missing from the log"
#define MSG_I_SEQ_GAP_EN \
	"seq gap"
#define MSG_I_PREV_MISMATCH_EN \
	"prev does not match the feed's previous entry"
#define MSG_I_PREV_FORK_EN \
	"prev names another entry than the one held before it: its author forked the feed"
#define MSG_I_HLC_NOT_INCREASING_EN \
	"hlc not increasing"
#define MSG_I_ROSTER_DECREASING_EN \
	"roster version decreasing"
#define MSG_I_STORE_WRITE_FAILED_EN \
	"store write failed"
#define MSG_I_NOT_MESSAGEPACK_EN \
	"malformed entry: not one MessagePack value"
#define MSG_I_BAD_ENTRY_EN \
	"bad entry"
#define MSG_IMPORT_AT_EN \
	"entry %zu (feed %.16s/%s seq %llu): %s"
#define MSG_IMPORT_AT_INDEX_EN \
	"entry %zu: %s"
#define MSG_IMPORT_FEED_GAP_EN \
	"entry %zu: its feed has a gap (an earlier entry is missing)"
#define MSG_AUDIT_OFF_TRAILING_EN \
	"entries file: bytes after entry %zu are not an entry"
#define MSG_AUDIT_OFF_WAITS_EN \
	"entry %zu waits for a roster version or an earlier entry the files lack"
#define MSG_P_VV_NOT_ARRAY_EN \
	"checkpoint vector is not an array"
#define MSG_P_VV_TOO_LONG_EN \
	"checkpoint vector longer than its bytes"
#define MSG_P_VV_ITEM_EN \
	"malformed checkpoint vector item"
#define MSG_P_VV_ORDER_EN \
	"checkpoint vector not sorted and distinct"
#define MSG_P_CP_NOT_PAIR_EN \
	"checkpoint is not [body, sig]"
#define MSG_P_CP_HEADER_EN \
	"malformed checkpoint header"
#define MSG_P_CP_DIGEST_EN \
	"malformed checkpoint digest"
#define MSG_P_CP_OUTSIDER_EN \
	"checkpoint signed by a node outside the roster"
#define MSG_P_CP_SIGNATURE_EN \
	"bad checkpoint signature"
#define MSG_P_DIV_SELF_EN \
	"divergence proof of one node with itself"
#define MSG_P_DIV_STATES_EN \
	"divergence proof of checkpoints of different states"
#define MSG_P_DIV_AGREE_EN \
	"divergence proof of checkpoints that agree"
#define MSG_P_CP_OWN_EN \
	"our own checkpoint sent back to us"
#define MSG_P_FORK_DIFFERENT_EN \
	"fork proof of entries of different feeds or seqs"
#define MSG_P_FORK_SAME_EN \
	"fork proof of one entry twice"
#define MSG_P_FORK_OUTSIDER_EN \
	"fork proof of an author outside the roster"
#define MSG_P_FORK_SIGNATURE_EN \
	"fork proof with a bad signature"
#define MSG_R_BODY_EN \
	"roster body is malformed"
#define MSG_R_PREV_NIL_EN \
	"roster prev must be nil exactly for version 1"
#define MSG_R_THRESHOLD_ZERO_EN \
	"roster threshold is 0: at least one admin must sign"
#define MSG_R_NO_ADMIN_EN \
	"roster has no admin"
#define MSG_R_THRESHOLD_HIGH_EN \
	"roster threshold exceeds its admins"
#define MSG_R_MEMBER_EN \
	"roster member is malformed"
#define MSG_R_MEMBER_TWICE_EN \
	"roster lists a member twice"
#define MSG_R_NOT_PAIR_EN \
	"roster is not [body, sigs]"
#define MSG_R_NOT_GENESIS_EN \
	"not a genesis roster"
#define MSG_R_SIG_EN \
	"roster signature does not verify"
#define MSG_R_TOO_FEW_SIGS_EN \
	"roster lacks enough admin signatures"
#define MSG_R_VERSION_HELD_EN \
	"a roster of this version is already held"
#define MSG_R_VERSION_GAP_EN \
	"roster versions must follow one another without a gap"
#define MSG_R_PREV_WRONG_EN \
	"roster prev does not name the version before it"
#define MSG_R_THRESHOLD_HALF_EN \
	"roster threshold must stay above half its admins"
#define MSG_R_SIGNER_NOT_ADMIN_EN \
	"roster is signed by a key that is not an admin of the version before it"
#define MSG_R_SIG_TWICE_EN \
	"roster carries one admin's signature twice"
#define MSG_R_SIG_BODY_EN \
	"roster signature does not verify over its body"
#define MSG_R_TOO_FEW_PREV_SIGS_EN \
	"roster lacks enough admin signatures of the version before it"
#define MSG_R_AT_VERSION_EN \
	"roster version %llu: %s"
#define MSG_R_NOT_CHAIN_EN \
	"not a roster or a roster chain"
#define MSG_R_CHAIN_ITEM_MALFORMED_EN \
	"roster %zu of the chain is malformed"
#define MSG_R_CHAIN_ITEM_EN \
	"roster %zu of the chain: %s"
#define MSG_R_CHAIN_ORDER_EN \
	"roster %zu of the chain has version %llu: the chain must hold every version from 1 in order, without a gap or a repeat"
#define MSG_R_CHAIN_TRAILING_EN \
	"trailing bytes after the roster chain"
#define MSG_R_ALONE_EN \
	"roster version %llu alone cannot be checked: join with the whole chain (ward roster export)"
#define MSG_R_OTHER_HELD_EN \
	"this node holds another roster version %llu"
#define MSG_R_NOT_SUCCESSOR_EN \
	"roster version %llu is not a valid successor of version %llu: %s"
#define MSG_R_OTHER_NETWORK_EN \
	"this node already belongs to another network"
#define MSG_R_CHAIN_DIFFERS_EN \
	"roster version %zu of the chain differs from the one this node holds"
#define MSG_R_WRITE_FAILED_EN \
	"could not write the roster"
#define MSG_R_REJUDGE_FAILED_EN \
	"could not judge the entries again under the new roster"
#define MSG_PR_NOTE_LONG_EN \
	"the note is longer than 1 KiB"
#define MSG_PR_MALFORMED_EN \
	"proposal is malformed"
#define MSG_PR_IN_FORCE_EN \
	"proposal is for a version already in force"
#define MSG_PR_TOO_FAR_EN \
	"proposal is for a version after the next"
#define MSG_PR_NOT_MEMBER_EN \
	"proposal is not signed by a member of the roster in force"
#define MSG_PR_MEMBER_FULL_EN \
	"this member already has the most proposals held here that one member may; sign or wait for one to come into force"
#define MSG_PR_NODE_FULL_EN \
	"this node holds the most proposals it may; sign or wait for one to come into force"
#define MSG_PR_NO_SUCH_EN \
	"no such proposal"
#define MSG_PR_NOT_ADMIN_EN \
	"this node is not an admin of the roster in force"
#define MSG_PR_SCHEMA_EN \
	"the proposal uses a schema version this build does not know: upgrade ward before signing it"
#define MSG_PR_SIGNED_OTHER_EN \
	"this admin already signed another proposal for this version; signing two would prove it a forker"
#define MSG_ROSTER_LOG_GENESIS_EN \
	"genesis: %zu members, %zu admins, threshold %llu"
#define MSG_SYNC_FAILED_AFTER_WRITE_EN \
	"the disk did not confirm a sync in %s after the command wrote: its write may be lost if the power fails; check the disk (dmesg) and run ward audit verify"

#endif
