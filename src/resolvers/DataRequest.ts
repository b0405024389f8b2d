/** `DataRequest`: a request under the current agreement, with subjects by pseudonym. */
import { startOfUtcDay } from '../policy/calendar';
import { effectiveStatus } from '../policy/dataRequests';
import { formatFullDate } from '../policy/partialDate';
import type { DataRequestResolvers } from '../generated/resolvers-types';
import { requireTreaty } from '../context/GatewayContext';
import { loadRecords } from './records';

export const DataRequest: DataRequestResolvers = {
  id: (request) => request._id,
  agreement: (request, _args, context) => requireTreaty(context).loaders.agreement.load(request.agreementId),
  requestingParty: (request, _args, context) => requireTreaty(context).loaders.party.load(request.requestingParty),
  requestedParty: (request, _args, context) => requireTreaty(context).loaders.party.load(request.requestedParty),
  subjects: (request, _args, context) => loadRecords(context, request.subjectIds, 'DataRequest.subjects'),
  status: (request, _args, context) => effectiveStatus(request, startOfUtcDay(context.now)),
  submittedAt: (request) => formatFullDate(request.submittedAt),
  decidedAt: (request) => (request.decidedAt ? formatFullDate(request.decidedAt) : null),
  validUntil: (request) => (request.validUntil ? formatFullDate(request.validUntil) : null),
};
