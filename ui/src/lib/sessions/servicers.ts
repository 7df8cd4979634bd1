/**
 * The servicers a conversation can be transferred to (`servicer_list`), filtered as the agent
 * types. Invariant: the answer's order is kept; a servicer with no name is shown by its userid.
 */
import type { ServicerDto, ServicerListResponse } from '../ipc/contract';
import type { Call } from '../ipc/events';
import { rpc } from '../ipc/rpc';

export async function loadServicers(openKfid: string, call: Call = rpc): Promise<ServicerDto[]> {
  const res = await call<ServicerListResponse>('servicer_list', { openKfid });
  return res.servicers ?? [];
}

export const servicerName = (s: ServicerDto) => s.userid;

export function filterServicers(list: readonly ServicerDto[], query: string): ServicerDto[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...list];
  return list.filter((s) => s.userid.toLowerCase().includes(q));
}
